#include <digitlab/gray_image.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace digitlab {

namespace {

size_t checked_pixel_count(int width, int height) {
  if (width < 0 || height < 0) {
    throw std::runtime_error("GrayImage: expected non-negative dimensions, got " + std::to_string(width) + "x" +
                             std::to_string(height));
  }
  const size_t count = static_cast<size_t>(width) * static_cast<size_t>(height);
  if (width != 0 && count / static_cast<size_t>(width) != static_cast<size_t>(height)) {
    throw std::runtime_error("GrayImage: pixel count of " + std::to_string(width) + "x" + std::to_string(height) +
                             " overflows");
  }
  return count;
}

}  // namespace

GrayImage::GrayImage(int width, int height, float fill)
    : width_(width), height_(height), pixels_(checked_pixel_count(width, height), fill) {}

GrayImage::GrayImage(int width, int height, std::vector<float> pixels)
    : width_(width), height_(height), pixels_(std::move(pixels)) {
  const size_t expected = checked_pixel_count(width, height);
  if (pixels_.size() != expected) {
    throw std::runtime_error("GrayImage: expected " + std::to_string(expected) + " pixels for " +
                             std::to_string(width) + "x" + std::to_string(height) + ", got " +
                             std::to_string(pixels_.size()));
  }
}

GrayImage GrayImage::from_u8(int width, int height, const uint8_t* data, size_t stride) {
  GrayImage image(width, height);
  if (image.empty()) return image;
  if (data == nullptr) throw std::runtime_error("GrayImage::from_u8: expected pixel data, got a null pointer");
  if (stride == 0) stride = static_cast<size_t>(width);
  if (stride < static_cast<size_t>(width)) {
    throw std::runtime_error("GrayImage::from_u8: expected a row stride of at least " + std::to_string(width) +
                             " bytes, got " + std::to_string(stride));
  }
  constexpr float kScale = 1.0f / 255.0f;
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = data + static_cast<size_t>(y) * stride;
    float* out = image.data() + static_cast<size_t>(y) * width;
    for (int x = 0; x < width; ++x) out[x] = row[x] * kScale;
  }
  return image;
}

std::vector<uint8_t> GrayImage::to_u8() const {
  std::vector<uint8_t> out(pixels_.size());
  for (size_t i = 0; i < pixels_.size(); ++i) {
    const float v = pixels_[i];
    const float clamped = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;  // NaN becomes 0
    out[i] = static_cast<uint8_t>(std::lround(clamped * 255.0f));
  }
  return out;
}

}  // namespace digitlab
