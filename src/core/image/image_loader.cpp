#include <digitlab/image_loader.h>

#include <digitlab/preprocessor.h>

#include "image/container_checks.h"
#include "image/statistics.h"
#include "util/byte_order.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxFileBytes = uintmax_t{1} << 30;  // stb takes an int length; real photos are far smaller
constexpr float kOpaqueAlpha = 0.5f;                     // a pixel at least this opaque shows its own colour
constexpr float kSheetFill = 0.7f;       // opaque part filling this much of its box is a sheet, not strokes
constexpr float kSheetContrast = 0.25f;  // a sheet holds ink at least this much darker or lighter than itself
constexpr float kSheetMinorityShare = 0.002f;
constexpr double kUprightLogAspect = 0.14;  // log(1.15): digits this much taller than wide are upright

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(name + ": " + what);
}

std::string size_text(int64_t width, int64_t height) { return std::to_string(width) + "x" + std::to_string(height); }

// Luminance and alpha planes of decoded samples (1..4 channels: grey, grey+alpha, RGB, RGBA).
struct Planes {
  std::vector<float> luma;
  std::vector<float> alpha;  // empty when the image has no alpha channel
};

template <typename Sample>
Planes split_planes(const Sample* samples, size_t pixels, int channels, float scale) {
  Planes planes;
  planes.luma.resize(pixels);
  const bool has_alpha = channels == 2 || channels == 4;
  if (has_alpha) planes.alpha.resize(pixels);
  for (size_t i = 0; i < pixels; ++i) {
    const Sample* p = samples + i * static_cast<size_t>(channels);
    if (channels <= 2) {
      planes.luma[i] = p[0] * scale;
    } else {
      planes.luma[i] = luminance(p[0] * scale, p[1] * scale, p[2] * scale);
    }
    if (has_alpha) planes.alpha[i] = p[channels - 1] * scale;
  }
  return planes;
}

// The background that transparent pixels are composited onto. If the opaque part is a sheet (it fills its
// bounding box and holds both dark and light pixels), the background takes the sheet's majority tone, so the
// sheet and the transparent surround become one paper. Otherwise the opaque part is ink on a transparent canvas
// and the background is the opposite extreme, so the ink stays visible in either colour.
float choose_background(const Planes& planes, int width, int height) {
  detail::Histogram hist;
  size_t opaque = 0;
  double opaque_sum = 0.0;
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const size_t i = static_cast<size_t>(y) * width + x;
      if (planes.alpha[i] < kOpaqueAlpha) continue;
      hist.add(planes.luma[i]);
      ++opaque;
      opaque_sum += planes.luma[i];
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (opaque == 0) return 1.0f;  // nothing visible: a blank white page
  const double box_area = double(x1 - x0 + 1) * double(y1 - y0 + 1);
  // The two tones by Otsu's split: the paper and what is on it.
  const detail::Split tones = detail::otsu_split(hist);
  const float minority = std::min(tones.high_share, 1.0f - tones.high_share);
  const bool is_sheet = opaque >= kSheetFill * box_area && tones.high_mean - tones.low_mean >= kSheetContrast &&
                        minority >= kSheetMinorityShare;
  if (is_sheet) return tones.high_share >= 0.5f ? tones.high_mean : tones.low_mean;
  return opaque_sum / static_cast<double>(opaque) >= 0.5 ? 0.0f : 1.0f;
}

GrayImage flatten_alpha(Planes planes, int width, int height) {
  const bool any_transparent = std::any_of(planes.alpha.begin(), planes.alpha.end(), [](float a) { return a < 1.0f; });
  if (planes.alpha.empty() || !any_transparent) return GrayImage(width, height, std::move(planes.luma));
  const float background = choose_background(planes, width, height);
  for (size_t i = 0; i < planes.luma.size(); ++i) {
    const float a = planes.alpha[i];
    planes.luma[i] = a * planes.luma[i] + (1.0f - a) * background;
  }
  return GrayImage(width, height, std::move(planes.luma));
}

// Decodes with stb at the file's own bit depth and channel count. stb's own failure reason is left out: stb tries
// the formats in turn, so its last reason may be another format's ("bad png sig" for a JPEG) or a stale one.
GrayImage decode_pixels(const uint8_t* data, int length, const std::string& name, const char* format) {
  const std::string failure = std::string("corrupt or truncated ") + format + " data";
  int width = 0, height = 0, channels = 0;
  if (std::strcmp(format, "PNG") == 0 && stbi_is_16_bit_from_memory(data, length)) {
    std::unique_ptr<stbi_us, void (*)(void*)> samples(
        stbi_load_16_from_memory(data, length, &width, &height, &channels, 0), stbi_image_free);
    if (!samples) fail(name, failure);
    const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
    return flatten_alpha(split_planes(samples.get(), pixels, channels, 1.0f / 65535.0f), width, height);
  }
  std::unique_ptr<stbi_uc, void (*)(void*)> samples(stbi_load_from_memory(data, length, &width, &height, &channels, 0),
                                                    stbi_image_free);
  if (!samples) fail(name, failure);
  const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
  return flatten_alpha(split_planes(samples.get(), pixels, channels, 1.0f / 255.0f), width, height);
}

// Orientation tag in a TIFF block (the body of an Exif APP1 segment after "Exif\0\0"), or 1.
int orientation_in_tiff(const uint8_t* tiff, size_t size) {
  constexpr uint16_t kOrientationTag = 0x0112;
  constexpr uint16_t kTypeShort = 3;
  if (size < 8) return 1;
  bool big_endian;
  if (tiff[0] == 'I' && tiff[1] == 'I') {
    big_endian = false;
  } else if (tiff[0] == 'M' && tiff[1] == 'M') {
    big_endian = true;
  } else {
    return 1;
  }
  if (detail::load_u16(tiff + 2, big_endian) != 42) return 1;
  const uint32_t ifd = detail::load_u32(tiff + 4, big_endian);
  if (ifd > size || size - ifd < 2) return 1;
  const uint16_t entries = detail::load_u16(tiff + ifd, big_endian);
  if ((size - ifd - 2) / 12 < entries) return 1;
  for (uint16_t e = 0; e < entries; ++e) {
    const uint8_t* entry = tiff + ifd + 2 + size_t{e} * 12;
    if (detail::load_u16(entry, big_endian) != kOrientationTag) continue;
    if (detail::load_u16(entry + 2, big_endian) != kTypeShort || detail::load_u32(entry + 4, big_endian) < 1) return 1;
    const int value = detail::load_u16(entry + 8, big_endian);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

// A quarter turn fits unless the stored pixels already show upright digits, which it would lay on their side
// (an editor turned the pixels but left the tag). Without visible digits the tag is trusted.
bool quarter_turn_fits(const GrayImage& stored) {
  double weighted = 0.0;
  double weights = 0.0;
  for (const DigitBox& box : segment_digits(stored)) {
    const double area = double(box.width) * double(box.height);
    weighted += area * std::log(double(box.height) / double(box.width));
    weights += area;
  }
  if (weights == 0.0) return true;
  return weighted / weights < kUprightLogAspect;
}

}  // namespace

float luminance(float r, float g, float b) { return 0.299f * r + 0.587f * g + 0.114f * b; }

int read_exif_orientation(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 4 || data[0] != 0xff || data[1] != 0xd8) return 1;
  size_t pos = 2;
  while (pos + 4 <= size) {
    if (data[pos] != 0xff) return 1;
    const uint8_t marker = data[pos + 1];
    if (marker == 0xff) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // markers without a length
      pos += 2;
      continue;
    }
    if (marker == 0xda || marker == 0xd9) return 1;  // image data or end: metadata comes before
    const size_t length = detail::load_be16(data + pos + 2);
    if (length < 2 || length > size - pos - 2) return 1;
    const uint8_t* body = data + pos + 4;
    const size_t body_size = length - 2;
    if (marker == 0xe1 && body_size >= 6 && std::memcmp(body, "Exif\0\0", 6) == 0) {
      return orientation_in_tiff(body + 6, body_size - 6);
    }
    pos += 2 + length;
  }
  return 1;
}

GrayImage apply_exif_orientation(const GrayImage& image, int orientation) {
  if (orientation < 2 || orientation > 8 || image.empty()) return image;
  const int w = image.width();
  const int h = image.height();
  const bool swaps = orientation >= 5;
  GrayImage out(swaps ? h : w, swaps ? w : h);
  for (int y = 0; y < out.height(); ++y) {
    for (int x = 0; x < out.width(); ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;
        default:
          break;
      }
      out.at(x, y) = image.at(sx, sy);
    }
  }
  return out;
}

GrayImage decode_image(const uint8_t* data, size_t size, const std::string& name_for_errors) {
  const std::string& name = name_for_errors;
  if (data == nullptr || size == 0) fail(name, "empty file (0 bytes); expected an image");
  if (size > static_cast<size_t>(INT_MAX)) fail(name, "file of " + std::to_string(size) + " bytes is too large");
  const char* format = detail::sniff_format(data, size);
  if (format == nullptr) fail(name, "not an image: expected PNG, JPEG, BMP, GIF or TGA data");
  const int length = static_cast<int>(size);

  detail::check_header(data, size, format, name);
  const auto [declared_width, declared_height] = detail::declared_size(data, size, format);
  if (declared_width > kMaxImagePixels || declared_height > kMaxImagePixels ||
      declared_width * declared_height > kMaxImagePixels) {  // each side checked first: no overflow
    fail(name, "image is " + size_text(declared_width, declared_height) + "; expected at most " +
                   std::to_string(kMaxImagePixels / 1'000'000) + " megapixels");
  }
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &channels)) {
    fail(name, std::string("corrupt or truncated ") + format + " header");
  }
  if (std::strcmp(format, "BMP") == 0 && height < 0 && height > INT_MIN) height = -height;  // top-down rows
  if (width <= 0 || height <= 0) fail(name, "image is " + size_text(width, height) + "; expected a non-zero size");
  const int64_t pixels = int64_t{width} * int64_t{height};
  if (pixels > kMaxImagePixels) {
    fail(name, "image is " + size_text(width, height) + " (" + std::to_string(pixels / 1'000'000) +
                   " megapixels); expected at most " + std::to_string(kMaxImagePixels / 1'000'000) + " megapixels");
  }

  detail::check_pixel_data(data, size, format, width, height, name);
  GrayImage image = decode_pixels(data, length, name, format);
  if (image.width() != width || image.height() != height) {
    fail(name, "decoded size " + size_text(image.width(), image.height()) + " differs from the header's " +
                   size_text(width, height));
  }

  const int orientation = std::strcmp(format, "JPEG") == 0 ? read_exif_orientation(data, size) : 1;
  if (orientation >= 5 && !quarter_turn_fits(image)) return image;
  return apply_exif_orientation(image, orientation);
}

GrayImage load_image(const fs::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  // Only a path that names nothing is "not found"; a folder on the way that cannot be entered, or a file used as
  // a folder, says why.
  if (ec && ec != std::errc::no_such_file_or_directory) fail(name, "cannot open: " + ec.message());
  if (!fs::exists(status)) fail(name, "file not found");
  if (fs::is_directory(status)) fail(name, "is a folder; expected an image file");
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) fail(name, "cannot read: " + ec.message());
  if (size == 0) fail(name, "empty file (0 bytes); expected an image");
  if (size > kMaxFileBytes) fail(name, "file of " + std::to_string(size) + " bytes is too large for an image");

  std::ifstream in(path, std::ios::binary);
  if (!in) fail(name, std::string("cannot open: ") + std::strerror(errno ? errno : EACCES));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<uintmax_t>(in.gcount()) != size) {
    fail(name, "cannot read: expected " + std::to_string(size) + " bytes, got " + std::to_string(in.gcount()));
  }
  return decode_image(bytes.data(), bytes.size(), name);
}

}  // namespace digitlab
