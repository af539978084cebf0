#pragma once

#include <zlib.h>

#include <filesystem>
#include <string>

namespace digitlab::detail {

/// Describes zlib's last error on `in`, read from `file`: "<file>: <kind>: <zlib's message>", where kind is "read
/// error", "truncated gzip data" or "corrupt gzip data" and the message loses the path prefix zlib adds itself.
std::string gzip_error_text(gzFile in, const std::filesystem::path& file);

}  // namespace digitlab::detail
