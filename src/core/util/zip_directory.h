#pragma once
// Internal to digitlab_core: the table of contents of a ZIP archive (a TorchScript file is one), read from its
// central directory without inflating anything, so an archive can be judged by what it would unpack to before
// any library opens it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace digitlab {

/// The entries of a ZIP archive as its central directory lists them.
class ZipDirectory {
 public:
  /// One entry: its name and sizes as stored in the directory.
  struct Entry {
    std::string name;
    uint64_t compressed_size = 0;
    uint64_t size = 0;  ///< Uncompressed.
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
