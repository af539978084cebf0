#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace digitlab {

/// Most classes a dataset may have: labels are single bytes.
constexpr int kMaxClasses = 256;

/// Labelled grayscale images held in memory, as read from a pair of IDX files (the MNIST format), with labels
/// 0..classes()-1 (ten digits by default).
class IdxDataset {
 public:
  /// Reads an IDX images file (magic 2051, 28x28) and its IDX labels file (magic 2049), each gzipped or raw.
  /// The data behind each header's count is counted before anything is allocated for it, and then read into one
  /// allocation of its size. Throws std::runtime_error naming the file if it cannot be opened, has a bad magic
  /// number or image size, holds no images, is truncated, holds corrupt gzip data or a label outside 0..classes-1, or if
  /// the two files disagree on the count.
  static IdxDataset load(const std::filesystem::path& images, const std::filesystem::path& labels, int classes = 10);

  /// Wraps `pixels` (labels.size() * rows * cols bytes, row-major, image after image) and `labels`
  /// (0..classes-1); throws std::runtime_error if the sizes disagree, a dimension is not positive, `classes` is
  /// outside 2..kMaxClasses or a label is out of range.
  IdxDataset(std::vector<uint8_t> pixels, std::vector<uint8_t> labels, int rows, int cols, int classes = 10);

  /// Number of images.
  size_t size() const { return labels_.size(); }
  /// Image height in pixels.
  int rows() const { return rows_; }
  /// Image width in pixels.
  int cols() const { return cols_; }
  /// All pixels, size() * rows() * cols() bytes, row-major, image after image.
  const std::vector<uint8_t>& pixels() const { return pixels_; }
  /// One label (0..classes()-1) per image.
  const std::vector<uint8_t>& labels() const { return labels_; }
  /// Number of classes the labels range over.
  int classes() const { return classes_; }

  /// Returns a copy of the first min(n, size()) images and labels.
  IdxDataset head(size_t n) const;
  /// The same images with new labels over `classes` classes (the pixels move, not copied); throws like the
  /// constructor when the labels do not fit.
  IdxDataset with_labels(std::vector<uint8_t> labels, int classes) &&;

 private:
  std::vector<uint8_t> pixels_;
  std::vector<uint8_t> labels_;
  int rows_;
  int cols_;
  int classes_;
};

/// Writes an IDX images file (gzipped if `gzip`) atomically; throws std::runtime_error naming the file if
/// `pixels` is not count * rows * cols bytes or the file cannot be written.
void write_idx_images(const std::filesystem::path& file, const std::vector<uint8_t>& pixels, uint32_t count,
                      uint32_t rows, uint32_t cols, bool gzip);

/// Writes an IDX labels file (gzipped if `gzip`) atomically; throws std::runtime_error naming the file on failure.
void write_idx_labels(const std::filesystem::path& file, const std::vector<uint8_t>& labels, bool gzip);

}  // namespace digitlab
