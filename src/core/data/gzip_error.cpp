#include "data/gzip_error.h"

namespace digitlab::detail {

std::string gzip_error_text(gzFile in, const std::filesystem::path& file) {
  int code = Z_OK;
  std::string message = gzerror(in, &code);
  const std::string prefix = file.string() + ": ";
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  const char* kind = code == Z_ERRNO ? "read error" : code == Z_BUF_ERROR ? "truncated gzip data" : "corrupt gzip data";
  return file.string() + ": " + kind + ": " + message;
}

}  // namespace digitlab::detail
