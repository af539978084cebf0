#include <digitlab/idx_dataset.h>
#include <digitlab/model_spec.h>

#include "data/gzip_error.h"
#include "util/atomic_write.h"
#include "util/byte_order.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kImagesMagic = 2051;  // 0x00000803: unsigned bytes, 3 dimensions
constexpr uint32_t kLabelsMagic = 2049;  // 0x00000801: unsigned bytes, 1 dimension
constexpr unsigned kGzBufferSize = 1 << 18;
constexpr size_t kReadChunk = size_t{1} << 24;
constexpr size_t kCountChunk = size_t{1} << 18;  // scratch for counting data bytes that are not kept

void append_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

// A file read through zlib, which passes raw files through unchanged; errors name the file.
class GzInput {
 public:
  explicit GzInput(fs::path path) : path_(std::move(path)) {
    errno = 0;
    file_ = gzopen(path_.c_str(), "rb");
    if (!file_) throw std::runtime_error(path_.string() + ": cannot open: " + std::strerror(errno ? errno : ENOMEM));
    gzbuffer(file_, kGzBufferSize);
  }
  ~GzInput() { gzclose(file_); }
  GzInput(const GzInput&) = delete;
  GzInput& operator=(const GzInput&) = delete;

  const fs::path& path() const { return path_; }

  // Reads up to n bytes, fewer only where the data ends early; throws on read errors and corrupt gzip data.
  size_t read(uint8_t* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      const int got = gzread(file_, out + done, static_cast<unsigned>(std::min(n - done, kReadChunk)));
      if (got < 0) throw std::runtime_error(detail::gzip_error_text(file_, path_));
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

  // Remembers the current position (just after the header) as where the data starts.
  void mark_data_start() { data_start_ = gztell(file_); }

  // Goes back to where the data starts, to read it again.
  void rewind_to_data() {
    if (gzseek(file_, data_start_, SEEK_SET) != data_start_) {
      throw std::runtime_error(detail::gzip_error_text(file_, path_));
    }
  }

  // Reads one byte past the data (trailing bytes are ignored) so zlib verifies the gzip trailer's checksum.
  void check_end() {
    uint8_t byte = 0;
    read(&byte, 1);
    int code = Z_OK;
    gzerror(file_, &code);
    if (code != Z_OK) throw std::runtime_error(detail::gzip_error_text(file_, path_));
  }

 private:
  fs::path path_;
  gzFile file_;
  z_off_t data_start_ = 0;
};

// Reads an IDX header: the magic number, checked, then `dims` big-endian sizes.
std::vector<uint32_t> read_header(GzInput& in, uint32_t magic, size_t dims, const char* kind) {
  uint8_t bytes[16];
  const size_t header_size = 4 + 4 * dims;
  size_t got = in.read(bytes, 4);
  if (got == 4 && detail::load_be32(bytes) != magic) {
    throw std::runtime_error(in.path().string() + ": bad magic number " + std::to_string(detail::load_be32(bytes)) +
                             ", expected " + std::to_string(magic) + " (" + kind + ")");
  }
  if (got == 4) got += in.read(bytes + 4, header_size - 4);
  if (got < header_size) {
    throw std::runtime_error(in.path().string() + ": truncated: expected a " + std::to_string(header_size) +
                             "-byte header (" + kind + "), found " + std::to_string(got) + " bytes");
  }
  std::vector<uint32_t> sizes(dims);
  for (size_t i = 0; i < dims; ++i) sizes[i] = detail::load_be32(bytes + 4 + 4 * i);
  in.mark_data_start();
  return sizes;
}

// Counts the data bytes that follow the header, up to `expected`, without keeping them, and checks the gzip
// trailer behind them: a header's count is checked against the data that is really there before anything is
// allocated for it (a gzip of a few MB can claim, and even hold, gigabytes). Then rewinds to the data.
void check_body_present(GzInput& in, size_t expected, const char* kind) {
  std::vector<uint8_t> buffer(std::min(expected, kCountChunk));
  size_t found = 0;
  while (found < expected) {
    const size_t want = std::min(expected - found, buffer.size());
    const size_t got = in.read(buffer.data(), want);
    found += got;
    if (got < want) break;
  }
  if (found < expected) {
    throw std::runtime_error(in.path().string() + ": truncated: expected " + std::to_string(expected) + " bytes of " +
                             kind + " data, found " + std::to_string(found));
  }
  in.check_end();
  in.rewind_to_data();
}

// Reads exactly `expected` bytes of data, which check_body_present() has counted: one allocation of the data's
// size.
std::vector<uint8_t> read_body(GzInput& in, size_t expected, const char* kind) {
  std::vector<uint8_t> data(expected);
  const size_t got = in.read(data.data(), expected);
  if (got < expected) {  // the file shrank since it was counted
    throw std::runtime_error(in.path().string() + ": truncated: expected " + std::to_string(expected) + " bytes of " +
                             kind + " data, found " + std::to_string(got));
  }
  return data;
}

void check_class_count(int classes) {
  if (classes < 2 || classes > kMaxClasses) {
    throw std::runtime_error("IdxDataset: " + std::to_string(classes) + " classes; expected 2 to " +
                             std::to_string(kMaxClasses));
  }
}

// Every label must name one of the classes: the trainer uses labels as indices.
void check_labels(const std::vector<uint8_t>& labels, int classes, const std::string& where) {
  const auto bad = std::find_if(labels.begin(), labels.end(), [classes](uint8_t v) { return v >= classes; });
  if (bad != labels.end()) {
    throw std::runtime_error(where + ": label " + std::to_string(*bad) + " at index " +
                             std::to_string(bad - labels.begin()) + " is outside 0.." + std::to_string(classes - 1));
  }
}

void write_idx(const fs::path& file, const std::string& bytes, bool gzip) {
  if (!gzip) {
    write_text_atomically(file, bytes);
    return;
  }
  write_file_atomically(file, [&bytes](const fs::path& tmp) {
    gzFile out = gzopen(tmp.c_str(), "wb");
    if (!out) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    const int written = bytes.empty() ? 0 : gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
    if (gzclose(out) != Z_OK || written != static_cast<int>(bytes.size())) {
      throw std::runtime_error("disk full or write error");
    }
  });
}

}  // namespace

IdxDataset IdxDataset::load(const fs::path& images, const fs::path& labels, int classes) {
  check_class_count(classes);
  // Both headers first, so mismatched files fail before any large read.
  GzInput image_in(images);
  const std::vector<uint32_t> image_dims = read_header(image_in, kImagesMagic, 3, "IDX images");
  const uint32_t count = image_dims[0], rows = image_dims[1], cols = image_dims[2];
  constexpr auto kSide = static_cast<uint32_t>(kInputSide);
  if (rows != kSide || cols != kSide) {
    throw std::runtime_error(images.string() + ": images are " + std::to_string(rows) + "x" + std::to_string(cols) +
                             ", expected " + std::to_string(kSide) + "x" + std::to_string(kSide));
  }
  GzInput label_in(labels);
  const uint32_t label_count = read_header(label_in, kLabelsMagic, 1, "IDX labels")[0];
  if (label_count != count) {
    throw std::runtime_error("image count " + std::to_string(count) + " in " + images.string() +
                             " does not match label count " + std::to_string(label_count) + " in " + labels.string());
  }

  if (count == 0) {
    throw std::runtime_error(images.string() + ": holds no images (its header's count is 0); expected at least one");
  }

  // Both bodies are counted before either is allocated.
  const size_t pixel_bytes = size_t{count} * rows * cols;
  check_body_present(image_in, pixel_bytes, "image");
  check_body_present(label_in, count, "label");
  std::vector<uint8_t> pixels = read_body(image_in, pixel_bytes, "image");
  std::vector<uint8_t> label_bytes = read_body(label_in, count, "label");
  check_labels(label_bytes, classes, labels.string());
  return IdxDataset(std::move(pixels), std::move(label_bytes), static_cast<int>(rows), static_cast<int>(cols), classes);
}

IdxDataset::IdxDataset(std::vector<uint8_t> pixels, std::vector<uint8_t> labels, int rows, int cols, int classes)
    : pixels_(std::move(pixels)), labels_(std::move(labels)), rows_(rows), cols_(cols), classes_(classes) {
  check_class_count(classes_);
  if (rows_ <= 0 || cols_ <= 0) {
    throw std::runtime_error("IdxDataset: image size must be positive, got " + std::to_string(rows_) + "x" +
                             std::to_string(cols_));
  }
  const size_t expected = labels_.size() * static_cast<size_t>(rows_) * static_cast<size_t>(cols_);
  if (pixels_.size() != expected) {
    throw std::runtime_error("IdxDataset: " + std::to_string(labels_.size()) + " labels of " + std::to_string(rows_) +
                             "x" + std::to_string(cols_) + " images need " + std::to_string(expected) +
                             " pixel bytes, got " + std::to_string(pixels_.size()));
  }
  check_labels(labels_, classes_, "IdxDataset");
}

IdxDataset IdxDataset::head(size_t n) const {
  const size_t count = std::min(n, size());
  const size_t image_bytes = static_cast<size_t>(rows_) * static_cast<size_t>(cols_);
  return IdxDataset(std::vector<uint8_t>(pixels_.begin(), pixels_.begin() + count * image_bytes),
                    std::vector<uint8_t>(labels_.begin(), labels_.begin() + count), rows_, cols_, classes_);
}

IdxDataset IdxDataset::with_labels(std::vector<uint8_t> labels, int classes) && {
  return IdxDataset(std::move(pixels_), std::move(labels), rows_, cols_, classes);
}

void write_idx_images(const fs::path& file, const std::vector<uint8_t>& pixels, uint32_t count, uint32_t rows,
                      uint32_t cols, bool gzip) {
  const uint64_t expected = uint64_t{count} * rows * cols;
  if (pixels.size() != expected) {
    throw std::runtime_error("cannot write " + file.string() + ": " + std::to_string(count) + " images of " +
                             std::to_string(rows) + "x" + std::to_string(cols) + " need " + std::to_string(expected) +
                             " pixel bytes, got " + std::to_string(pixels.size()));
  }
  std::string bytes;
  bytes.reserve(16 + pixels.size());
  append_be32(bytes, kImagesMagic);
  append_be32(bytes, count);
  append_be32(bytes, rows);
  append_be32(bytes, cols);
  bytes.append(pixels.begin(), pixels.end());
  write_idx(file, bytes, gzip);
}

void write_idx_labels(const fs::path& file, const std::vector<uint8_t>& labels, bool gzip) {
  std::string bytes;
  bytes.reserve(8 + labels.size());
  append_be32(bytes, kLabelsMagic);
  append_be32(bytes, static_cast<uint32_t>(labels.size()));
  bytes.append(labels.begin(), labels.end());
  write_idx(file, bytes, gzip);
}

}  // namespace digitlab
