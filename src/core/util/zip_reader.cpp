#include "util/zip_reader.h"

#include "util/atomic_write.h"
#include "util/byte_order.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

using detail::load_le16;
using detail::load_le32;

constexpr uint32_t kLocalHeader = 0x04034b50;  // "PK\3\4"
constexpr size_t kLocalHeaderSize = 30;
constexpr uint16_t kEncrypted = 1;
constexpr uint16_t kStored = 0;
constexpr uint16_t kDeflated = 8;
constexpr size_t kChunk = 1 << 16;

}  // namespace

// Where unpacked bytes go (a file, or memory when `out` is empty): counts them against the directory's size, keeps
// their CRC-32, reports progress.
class ZipSink {
 public:
  ZipSink(const fs::path& out, uint64_t limit, const ZipReader::ProgressFn& progress)
      : file_(nullptr, &std::fclose), out_(out), limit_(limit), progress_(progress) {
    if (out.empty()) {
      memory_.reserve(static_cast<size_t>(limit));
      return;
    }
    file_.reset(std::fopen(out.c_str(), "wb"));
    if (!file_) throw std::runtime_error("cannot create " + out.string() + ": " + std::strerror(errno));
  }

  /// Writes `n` bytes; returns false (writing nothing) when they would pass the limit.
  bool write(const uint8_t* data, size_t n) {
    if (n > limit_ - written_) return false;
    if (!file_) {
      memory_.append(reinterpret_cast<const char*>(data), n);
    } else if (std::fwrite(data, 1, n, file_.get()) != n) {
      fail_write(n);
    }
    crc_ = crc32_z(crc_, data, n);
    written_ += n;
    if (progress_) progress_(written_);
    return true;
  }

  void close() {
    if (file_ && std::fclose(file_.release()) != 0) fail_write(0);
  }

  std::string& memory() { return memory_; }

  uint64_t written() const { return written_; }
  uint32_t crc() const { return static_cast<uint32_t>(crc_); }

 private:
  [[noreturn]] void fail_write(size_t n) const {
    if (errno == ENOSPC || errno == EDQUOT) throw DiskFullError(static_cast<size_t>(limit_ - written_) + n);
    throw std::runtime_error("cannot write " + out_.string() + ": " + std::strerror(errno ? errno : EIO));
  }

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  fs::path out_;
  uint64_t limit_;
  ZipReader::ProgressFn progress_;  // a copy: read() passes a temporary
  uint64_t written_ = 0;
  uLong crc_ = crc32_z(0, nullptr, 0);
  std::string memory_;
};

namespace {

std::string hex32(uint32_t value) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", value);
  return text;
}

std::string too_long(uint64_t size) {
  return "unpacks to more than the " + std::to_string(size) + " bytes the directory states";
}

// Copies a stored entry's `compressed_size` bytes; returns what is wrong, or nothing.
std::string copy_stored(std::istream& in, uint64_t compressed_size, ZipSink& sink, uint64_t size) {
  std::vector<uint8_t> chunk(kChunk);
  for (uint64_t left = compressed_size; left > 0;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, kChunk));
    if (!in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(n))) return "cannot read its data";
    if (!sink.write(chunk.data(), n)) return too_long(size);
    left -= n;
  }
  return {};
}

// Inflates a deflated entry's `compressed_size` bytes (raw deflate, no zlib header); returns what is wrong, or nothing.
std::string inflate_raw(std::istream& in, uint64_t compressed_size, ZipSink& sink, uint64_t size) {
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return "zlib cannot start inflating";
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, &inflateEnd);
  std::vector<uint8_t> input(kChunk), output(kChunk);
  uint64_t left = compressed_size;
  for (int code = Z_OK; code != Z_STREAM_END;) {
    if (z.avail_in == 0) {
      if (left == 0) return "deflate data ends early";
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, kChunk));
      if (!in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(n))) {
        return "cannot read its data";
      }
      z.next_in = input.data();
      z.avail_in = static_cast<uInt>(n);
      left -= n;
    }
    z.next_out = output.data();
    z.avail_out = static_cast<uInt>(output.size());
    code = inflate(&z, Z_NO_FLUSH);
    // Z_BUF_ERROR with no input left only asks for more input.
    if (code != Z_OK && code != Z_STREAM_END && !(code == Z_BUF_ERROR && z.avail_in == 0)) {
      return std::string("corrupt deflate data (") + (z.msg ? z.msg : "zlib error " + std::to_string(code)) + ")";
    }
    if (!sink.write(output.data(), output.size() - z.avail_out)) return too_long(size);
  }
  return {};
}

}  // namespace

ZipReader::ZipReader(fs::path archive) : archive_(std::move(archive)) {
  try {
    directory_ = ZipDirectory::read(archive_);
    file_size_ = fs::file_size(archive_);
  } catch (const std::exception& e) {
    throw std::runtime_error(archive_.string() + ": " + e.what());
  }
}

void ZipReader::fail(const ZipDirectory::Entry& entry, const std::string& what) const {
  throw std::runtime_error(archive_.string() + ": entry " + entry.name + ": " + what);
}

uint64_t ZipReader::data_offset(std::ifstream& in, const ZipDirectory::Entry& entry) const {
  uint8_t header[kLocalHeaderSize];
  in.seekg(static_cast<std::streamoff>(entry.local_header_offset));
  in.read(reinterpret_cast<char*>(header), kLocalHeaderSize);
  if (!in || load_le32(header) != kLocalHeader) fail(entry, "no local header where the directory points");
  std::string name(load_le16(header + 26), '\0');
  in.read(name.data(), static_cast<std::streamsize>(name.size()));
  if (!in || name != entry.name) fail(entry, "local header names another entry (\"" + name + "\")");
  const uint64_t offset = entry.local_header_offset + kLocalHeaderSize + name.size() + load_le16(header + 28);
  if (offset + entry.compressed_size > file_size_) {
    fail(entry, "data ends past the end of the file (truncated archive?)");
  }
  return offset;
}

void ZipReader::unpack(const ZipDirectory::Entry& entry, ZipSink& sink) const {
  if (entry.flags & kEncrypted) fail(entry, "encrypted");
  if (entry.method != kStored && entry.method != kDeflated) {
    fail(entry, "compression method " + std::to_string(entry.method) + " (only stored and deflate are read)");
  }
  std::ifstream in(archive_, std::ios::binary);
  if (!in) throw std::runtime_error(archive_.string() + ": cannot open: " + std::strerror(errno));
  in.seekg(static_cast<std::streamoff>(data_offset(in, entry)));
  const std::string error = entry.method == kStored ? copy_stored(in, entry.compressed_size, sink, entry.size)
                                                    : inflate_raw(in, entry.compressed_size, sink, entry.size);
  if (!error.empty()) fail(entry, error);
  sink.close();
  if (sink.written() != entry.size) {
    fail(entry,
         "unpacks to " + std::to_string(sink.written()) + " bytes, the directory says " + std::to_string(entry.size));
  }
  if (sink.crc() != entry.crc32) {
    fail(entry, "CRC-32 " + hex32(sink.crc()) + ", the directory says " + hex32(entry.crc32));
  }
}

void ZipReader::extract(const ZipDirectory::Entry& entry, const fs::path& out, const ProgressFn& progress) const {
  if (out.empty()) throw std::invalid_argument("ZipReader::extract: no output file");
  ZipSink sink(out, entry.size, progress);
  unpack(entry, sink);
}

std::string ZipReader::read(const ZipDirectory::Entry& entry, uint64_t max_size) const {
  if (entry.size > max_size) {
    fail(entry, "unpacks to " + std::to_string(entry.size) + " bytes, more than the " + std::to_string(max_size) +
                    " allowed");
  }
  ZipSink sink({}, entry.size, nullptr);
  unpack(entry, sink);
  return std::move(sink.memory());
}

const ZipDirectory::Entry* ZipReader::find(const std::string& name) const {
  const auto& all = entries();
  const auto it = std::find_if(all.begin(), all.end(), [&](const ZipDirectory::Entry& e) { return e.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace digitlab
