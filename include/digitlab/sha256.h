#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace digitlab {

/// Incremental SHA-256 (FIPS 180-4): update() any number of times, then hex_digest().
class Sha256 {
 public:
  /// Starts an empty message.
  Sha256();

  /// Appends `n` bytes at `data`; throws std::runtime_error if called after hex_digest().
  void update(const void* data, size_t n);

  /// Finishes the message and returns its digest as 64 lowercase hex digits (repeat calls return the same value).
  std::string hex_digest();

  /// Returns the lowercase hex SHA-256 of `bytes`.
  static std::string hex_of(const std::string& bytes);

 private:
  static constexpr size_t kBlockSize = 64;

  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, kBlockSize> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
  bool finished_ = false;
  std::string digest_;
};

/// Returns the SHA-256 (lowercase hex) of `file`'s content, decompressed first if the file is gzipped; throws
/// std::runtime_error naming `file` if it cannot be opened or read, or its gzip data is corrupt or truncated.
std::string sha256_of_content(const std::filesystem::path& file);

}  // namespace digitlab
