#include "util/zip_directory.h"

#include "util/byte_order.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace digitlab {
namespace {

using detail::load_le16;
using detail::load_le32;

constexpr uint32_t kEndOfDirectory = 0x06054b50;  // "PK\5\6"
constexpr uint32_t kDirectoryEntry = 0x02014b50;  // "PK\1\2"
constexpr size_t kEndRecordSize = 22;
constexpr size_t kEntryHeaderSize = 46;
constexpr size_t kMaxCommentSize = 0xffff;
constexpr uint32_t kZip64Marker = 0xffffffff;
/// A directory larger than this is not one of a model file's (they list a few hundred entries).
constexpr uint64_t kMaxDirectoryBytes = 64ull << 20;

std::runtime_error bad(const std::filesystem::path&, const std::string& what) { return std::runtime_error(what); }

}  // namespace

uint64_t ZipDirectory::total_size() const {
  uint64_t total = 0;
  for (const auto& e : entries_) total += e.size;
  return total;
}

ZipDirectory ZipDirectory::read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad(path, std::string("cannot open: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<uint64_t>(in.tellg());
  if (file_size < kEndRecordSize) throw bad(path, "not a ZIP archive (too short)");

  // The end record sits in the last 22 bytes plus at most a 64 KiB comment: search backwards for it.
  const uint64_t tail_size = std::min<uint64_t>(file_size, kEndRecordSize + kMaxCommentSize);
  std::vector<uint8_t> tail(tail_size);
  in.seekg(static_cast<std::streamoff>(file_size - tail_size));
  in.read(reinterpret_cast<char*>(tail.data()), static_cast<std::streamsize>(tail_size));
  if (!in) throw bad(path, "cannot read the end of the file");
  size_t end = tail_size - kEndRecordSize + 1;
  do {
    --end;
    if (load_le32(tail.data() + end) == kEndOfDirectory) break;
  } while (end > 0);
  if (load_le32(tail.data() + end) != kEndOfDirectory) throw bad(path, "not a ZIP archive (no central directory)");
  const uint8_t* record = tail.data() + end;
  const uint16_t count = load_le16(record + 10);
  const uint32_t directory_size = load_le32(record + 12);
  const uint32_t directory_offset = load_le32(record + 16);
  if (count == 0xffff || directory_size == kZip64Marker || directory_offset == kZip64Marker) {
    throw bad(path, "ZIP64 archive (4 GiB or more or 65535 entries): not supported");
  }
  if (directory_size > kMaxDirectoryBytes || uint64_t{directory_offset} + directory_size > file_size) {
    throw bad(path, "corrupt ZIP directory");
  }

  std::vector<uint8_t> directory(directory_size);
  in.seekg(directory_offset);
  in.read(reinterpret_cast<char*>(directory.data()), directory_size);
  if (!in) throw bad(path, "cannot read the ZIP directory");
  ZipDirectory zip;
  size_t at = 0;
  for (uint16_t i = 0; i < count; ++i) {
    if (at + kEntryHeaderSize > directory.size() || load_le32(directory.data() + at) != kDirectoryEntry) {
      throw bad(path, "corrupt ZIP directory (entry " + std::to_string(i) + ")");
    }
    const uint8_t* h = directory.data() + at;
    Entry e;
    e.flags = load_le16(h + 8);
    e.method = load_le16(h + 10);
    e.crc32 = load_le32(h + 16);
    e.compressed_size = load_le32(h + 20);
    e.size = load_le32(h + 24);
    e.local_header_offset = load_le32(h + 42);
    const size_t name_size = load_le16(h + 28);
    const size_t extra_size = load_le16(h + 30);
    const size_t comment_size = load_le16(h + 32);
    if (e.compressed_size == kZip64Marker || e.size == kZip64Marker || e.local_header_offset == kZip64Marker) {
      throw bad(path, "ZIP64 entry (4 GiB or more): not supported");
    }
    if (at + kEntryHeaderSize + name_size + extra_size + comment_size > directory.size()) {
      throw bad(path, "corrupt ZIP directory (entry " + std::to_string(i) + ")");
    }
    e.name.assign(reinterpret_cast<const char*>(h + kEntryHeaderSize), name_size);
    zip.entries_.push_back(std::move(e));
    at += kEntryHeaderSize + name_size + extra_size + comment_size;
  }
  return zip;
}

}  // namespace digitlab
