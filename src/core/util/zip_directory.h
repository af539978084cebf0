#pragma once
// Internal to digitlab_core: the table of contents of a ZIP archive (a TorchScript file is one, EMNIST comes as
// one), read from its central directory without inflating anything, so an archive can be judged by what it would
// unpack to before any library opens it. ZipReader unpacks entries from it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace digitlab {

/// The entries of a ZIP archive as its central directory lists them.
class ZipDirectory {
 public:
  /// One entry: its name, sizes and where its data lies, as stored in the directory.
  struct Entry {
    std::string name;
    uint64_t compressed_size = 0;
    uint64_t size = 0;                 ///< Uncompressed.
    uint16_t flags = 0;                ///< General-purpose bits; bit 0 marks an encrypted entry.
    uint16_t method = 0;               ///< 0: stored, 8: deflated.
    uint32_t crc32 = 0;                ///< CRC-32 of the uncompressed data.
    uint64_t local_header_offset = 0;  ///< Where the entry's local header starts in the file.
  };

  /// Reads the central directory of `path`. Throws std::runtime_error saying what is wrong (callers name the file)
  /// when the file cannot be read or is not a ZIP archive, or when its directory is corrupt or uses ZIP64 (sizes
  /// of 4 GiB or more).
  static ZipDirectory read(const std::filesystem::path& path);

  /// The entries, in directory order.
  const std::vector<Entry>& entries() const { return entries_; }
  /// The sum of the uncompressed sizes.
  uint64_t total_size() const;

 private:
  std::vector<Entry> entries_;
};

}  // namespace digitlab
