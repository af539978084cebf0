#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace digitlab {

/// A single-channel image: width x height floats in [0, 1] (0 black, 1 white), row-major, no padding.
/// The one image type the core accepts and returns; the GUI converts QImage <-> GrayImage in one place.
class GrayImage {
 public:
  /// An empty 0x0 image.
  GrayImage() = default;

  /// A width x height image filled with `fill`; throws std::runtime_error if a dimension is negative or the
  /// pixel count overflows.
  GrayImage(int width, int height, float fill = 0.0f);

  /// Wraps `pixels` (width * height values, row-major); throws std::runtime_error if the sizes disagree or a
  /// dimension is negative. Values are kept as given (callers keep them in [0, 1]).
  GrayImage(int width, int height, std::vector<float> pixels);

  /// Converts 8-bit samples (0..255 -> 0..1). `stride` is the distance in bytes between rows (0 means `width`);
  /// throws std::runtime_error if a dimension is negative or `data` is null for a non-empty image.
  static GrayImage from_u8(int width, int height, const uint8_t* data, size_t stride = 0);

  /// Width in pixels.
  int width() const { return width_; }
  /// Height in pixels.
  int height() const { return height_; }
  /// True when the image has no pixels.
  bool empty() const { return pixels_.empty(); }
  /// Number of pixels, width() * height().
  size_t size() const { return pixels_.size(); }

  /// The pixel in column x, row y (unchecked: 0 <= x < width(), 0 <= y < height()).
  float at(int x, int y) const { return pixels_[static_cast<size_t>(y) * width_ + x]; }
  /// Writable pixel in column x, row y (unchecked).
  float& at(int x, int y) { return pixels_[static_cast<size_t>(y) * width_ + x]; }

  /// First pixel of row-major storage (null for an empty image).
  const float* data() const { return pixels_.data(); }
  /// Writable first pixel of row-major storage.
  float* data() { return pixels_.data(); }
  /// All pixels, row-major.
  const std::vector<float>& pixels() const { return pixels_; }

  /// 8-bit copy, row-major without padding: each value clamped to [0, 1] and rounded to 0..255.
  std::vector<uint8_t> to_u8() const;

 private:
  int width_ = 0;
  int height_ = 0;
  std::vector<float> pixels_;
};

}  // namespace digitlab
