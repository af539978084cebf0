#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace digitlab {

/// Incremental SHA-256 (FIPS 180-4) on OpenSSL's libcrypto: update() any number of times, then hex_digest().
class Sha256 {
 public:
  /// Starts an empty message; throws std::runtime_error if libcrypto cannot provide SHA-256.
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  /// Appends `n` bytes at `data`; throws std::runtime_error if called after hex_digest().
  void update(const void* data, size_t n);

  /// Finishes the message and returns its digest as 64 lowercase hex digits (repeat calls return the same value).
  std::string hex_digest();

  /// Returns the lowercase hex SHA-256 of `bytes`.
  static std::string hex_of(const std::string& bytes);

 private:
  struct Context;  // holds OpenSSL's EVP_MD_CTX, kept out of this header
  std::unique_ptr<Context> context_;
  bool finished_ = false;
  std::string digest_;
};

/// Returns the SHA-256 (lowercase hex) of `file`'s content, decompressed first if the file is gzipped; throws
/// std::runtime_error naming `file` if it cannot be opened or read, or its gzip data is corrupt or truncated.
std::string sha256_of_content(const std::filesystem::path& file);

}  // namespace digitlab
