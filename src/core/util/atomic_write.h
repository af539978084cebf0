#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace digitlab {

/// Creates `target` by calling `writer` on a temporary file in the same folder (created if needed) and renaming it
/// over `target`, so readers see the old file or the complete new one. Throws std::runtime_error
/// "cannot write <target>: <reason>" if the folder cannot be created, `writer` throws (its message is kept) or the
/// rename fails; the temporary file is removed in every failure case.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(const std::filesystem::path& tmp)>& writer);

/// Atomically replaces `target` with `text` (binary-safe, synced to disk); throws std::runtime_error naming `target`
/// on any failure, with "disk full or write error" when the data could not be written completely.
void write_text_atomically(const std::filesystem::path& target, const std::string& text);

}  // namespace digitlab
