#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace digitlab {

/// Thrown by a writer of write_file_atomically() when the disk is full (ENOSPC or EDQUOT); `bytes` is what it
/// needed to write.
struct DiskFullError : std::runtime_error {
  explicit DiskFullError(size_t needed) : std::runtime_error("no space left on device"), bytes(needed) {}
  size_t bytes;
};

/// Creates `target` by calling `writer` on a temporary file in the same folder (created if needed) and renaming it
/// over `target`, so readers see the old file or the complete new one. Throws std::runtime_error
/// "cannot write <target>: <reason>" if the folder cannot be created, `writer` throws (its message is kept) or the
/// rename fails, and "no space left on device writing <target> (needs 2.3 MB)" when the writer throws
/// DiskFullError; the temporary file is removed in every failure case. Temporary files of `target` that a killed
/// process left behind are removed first.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(const std::filesystem::path& tmp)>& writer);

/// Atomically replaces `target` with `text` (binary-safe, synced to disk); throws std::runtime_error naming `target`
/// on any failure, "no space left on device writing <target> (needs N MB)" when the disk is full.
void write_text_atomically(const std::filesystem::path& target, const std::string& text);

}  // namespace digitlab
