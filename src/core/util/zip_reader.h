#pragma once
// Internal to digitlab_core: unpacks single entries of a ZIP archive (stored or deflated), checking each against
// what the central directory states before any byte of it is trusted. Used to unpack EMNIST's archive and
// to read DigitLab's own model files without LibTorch.

#include "util/zip_directory.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace digitlab {

class ZipSink;

/// A ZIP archive opened for unpacking: its directory, and each entry's content on request.
class ZipReader {
 public:
  /// Called as an entry is unpacked with the bytes written so far; may throw to stop (the exception propagates).
  using ProgressFn = std::function<void(uint64_t written)>;

  /// Reads the directory of `archive`; throws std::runtime_error "<archive>: <what is wrong>" when it cannot be
  /// read or is not a ZIP archive ZipDirectory accepts.
  explicit ZipReader(std::filesystem::path archive);

  /// The archive's entries, in directory order.
  const std::vector<ZipDirectory::Entry>& entries() const { return directory_.entries(); }
  /// The sum of the entries' uncompressed sizes.
  uint64_t total_size() const { return directory_.total_size(); }

  /// Writes `entry`'s content to `out` (created or truncated). Never writes more than the directory's size for it.
  /// Throws std::runtime_error "<archive>: entry <name>: <what>" when its local header disagrees with the
  /// directory, its data lies past the end of the file, it is encrypted or uses a method other than stored or
  /// deflate, its data is corrupt, or its size or CRC-32 differs from the directory's; DiskFullError when the disk
  /// is full; std::runtime_error naming `out` when it cannot be written. Exceptions from `progress` propagate.
  void extract(const ZipDirectory::Entry& entry, const std::filesystem::path& out, const ProgressFn& progress) const;

  /// `entry`'s content in memory, with the checks extract() makes. Throws std::runtime_error "<archive>: entry
  /// <name>: <what>" as extract() does, and when the directory says it unpacks to more than `max_size` bytes (before
  /// anything is read).
  std::string read(const ZipDirectory::Entry& entry, uint64_t max_size) const;

  /// The entry called `name`, or nullptr.
  const ZipDirectory::Entry* find(const std::string& name) const;

 private:
  void unpack(const ZipDirectory::Entry& entry, ZipSink& sink) const;
  uint64_t data_offset(std::ifstream& in, const ZipDirectory::Entry& entry) const;
  [[noreturn]] void fail(const ZipDirectory::Entry& entry, const std::string& what) const;

  std::filesystem::path archive_;
  uint64_t file_size_ = 0;
  ZipDirectory directory_;
};

}  // namespace digitlab
