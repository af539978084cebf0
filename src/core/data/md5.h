#pragma once
// Internal: MD5 on OpenSSL's libcrypto, for archives whose publishers give no stronger checksum (EMNIST). It checks
// that a download arrived intact, not that nobody tampered with it.

#include <filesystem>
#include <string>

namespace digitlab {

/// MD5 of whole files.
class Md5 {
 public:
  /// Returns the MD5 (32 lowercase hex digits) of `file`'s bytes as stored (no decompression); throws
  /// std::runtime_error naming `file` if it cannot be opened or read, or if libcrypto cannot compute MD5.
  static std::string hex_of_file(const std::filesystem::path& file);
};

}  // namespace digitlab
