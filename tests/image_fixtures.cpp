#include "image_fixtures.h"

#include <stb/stb_image_write.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace digitlab::testing {

namespace {

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_le16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

void put_le32(std::vector<uint8_t>& out, uint32_t v) {
  put_le16(out, v & 0xffff);
  put_le16(out, v >> 16);
}

void put_chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& body) {
  put_be32(out, static_cast<uint32_t>(body.size()));
  std::vector<uint8_t> typed(type, type + 4);
  typed.insert(typed.end(), body.begin(), body.end());
  out.insert(out.end(), typed.begin(), typed.end());
  put_be32(out, static_cast<uint32_t>(crc32(0, typed.data(), static_cast<uInt>(typed.size()))));
}

// PNG from raw scanlines (each already `row_bytes` long, filter byte added here).
std::vector<uint8_t> png_file(int width, int height, int bit_depth, int colour_type, size_t row_bytes,
                              const uint8_t* rows, const std::vector<uint8_t>& palette) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> header;
  put_be32(header, static_cast<uint32_t>(width));
  put_be32(header, static_cast<uint32_t>(height));
  header.insert(header.end(), {static_cast<uint8_t>(bit_depth), static_cast<uint8_t>(colour_type), 0, 0, 0});
  put_chunk(out, "IHDR", header);
  if (!palette.empty()) put_chunk(out, "PLTE", palette);
  std::vector<uint8_t> raw;
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), rows + y * row_bytes, rows + (y + 1) * row_bytes);
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<uint8_t> packed(packed_size);
  if (compress(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size())) != Z_OK) {
    throw std::runtime_error("encode_png: zlib compress failed");
  }
  packed.resize(packed_size);
  put_chunk(out, "IDAT", packed);
  put_chunk(out, "IEND", {});
  return out;
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

// A 2-byte value in TIFF byte order.
void put_tiff16(std::vector<uint8_t>& out, uint32_t v, bool big_endian) {
  if (big_endian) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  } else {
    put_le16(out, v);
  }
}

void put_tiff32(std::vector<uint8_t>& out, uint32_t v, bool big_endian) {
  if (big_endian) {
    put_be32(out, v);
  } else {
    put_le32(out, v);
  }
}

}  // namespace

std::vector<uint8_t> encode_png(int width, int height, int channels, const std::vector<uint8_t>& samples) {
  static const int kColourType[] = {0, 0, 4, 2, 6};
  return png_file(width, height, 8, kColourType[channels], static_cast<size_t>(width) * channels, samples.data(), {});
}

std::vector<uint8_t> encode_png16(int width, int height, const std::vector<uint16_t>& samples) {
  std::vector<uint8_t> rows;
  for (uint16_t v : samples) {
    rows.push_back(static_cast<uint8_t>(v >> 8));
    rows.push_back(static_cast<uint8_t>(v));
  }
  return png_file(width, height, 16, 0, static_cast<size_t>(width) * 2, rows.data(), {});
}

std::vector<uint8_t> encode_png_palette(int width, int height, const std::vector<std::array<uint8_t, 3>>& palette,
                                        const std::vector<uint8_t>& indices) {
  std::vector<uint8_t> plte;
  for (const auto& rgb : palette) plte.insert(plte.end(), rgb.begin(), rgb.end());
  return png_file(width, height, 8, 3, static_cast<size_t>(width), indices.data(), plte);
}

std::vector<uint8_t> encode_bmp(int width, int height, const std::vector<uint8_t>& rgb) {
  const uint32_t row_bytes = (static_cast<uint32_t>(width) * 3 + 3) & ~3u;
  const uint32_t pixel_bytes = row_bytes * static_cast<uint32_t>(height);
  std::vector<uint8_t> out = {'B', 'M'};
  put_le32(out, 54 + pixel_bytes);
  put_le32(out, 0);
  put_le32(out, 54);
  put_le32(out, 40);
  put_le32(out, static_cast<uint32_t>(width));
  put_le32(out, static_cast<uint32_t>(height));
  put_le16(out, 1);
  put_le16(out, 24);
  for (int i = 0; i < 6; ++i) put_le32(out, 0);
  for (int y = height - 1; y >= 0; --y) {  // bottom-up, BGR
    for (int x = 0; x < width; ++x) {
      const size_t i = (static_cast<size_t>(y) * width + x) * 3;
      out.insert(out.end(), {rgb[i + 2], rgb[i + 1], rgb[i]});
    }
    for (uint32_t pad = static_cast<uint32_t>(width) * 3; pad < row_bytes; ++pad) out.push_back(0);
  }
  return out;
}

std::vector<uint8_t> encode_gif(int width, int height, const std::vector<uint8_t>& grey) {
  std::vector<uint8_t> out = {'G', 'I', 'F', '8', '9', 'a'};
  put_le16(out, static_cast<uint32_t>(width));
  put_le16(out, static_cast<uint32_t>(height));
  out.insert(out.end(), {0xf7, 0, 0});  // global table of 256 colours
  for (int i = 0; i < 256; ++i)
    out.insert(out.end(), {static_cast<uint8_t>(i), static_cast<uint8_t>(i), static_cast<uint8_t>(i)});
  out.push_back(0x2c);
  put_le16(out, 0);
  put_le16(out, 0);
  put_le16(out, static_cast<uint32_t>(width));
  put_le16(out, static_cast<uint32_t>(height));
  out.push_back(0);
  // LZW with literal codes only: 9-bit codes, a clear code before the table would need 10 bits.
  constexpr int kClear = 256, kEnd = 257, kLiteralsPerClear = 250;
  std::vector<uint8_t> packed;
  uint32_t bits = 0;
  int bit_count = 0;
  const auto emit = [&](int code) {
    bits |= static_cast<uint32_t>(code) << bit_count;
    bit_count += 9;
    while (bit_count >= 8) {
      packed.push_back(static_cast<uint8_t>(bits));
      bits >>= 8;
      bit_count -= 8;
    }
  };
  for (size_t i = 0; i < grey.size(); ++i) {
    if (i % kLiteralsPerClear == 0) emit(kClear);
    emit(grey[i]);
  }
  emit(kEnd);
  if (bit_count > 0) packed.push_back(static_cast<uint8_t>(bits));
  out.push_back(8);  // minimum code size
  for (size_t i = 0; i < packed.size(); i += 255) {
    const size_t n = std::min<size_t>(255, packed.size() - i);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), packed.begin() + static_cast<long>(i), packed.begin() + static_cast<long>(i + n));
  }
  out.push_back(0);
  out.push_back(0x3b);
  return out;
}

std::vector<uint8_t> encode_tga(int width, int height, int channels, const std::vector<uint8_t>& samples) {
  std::vector<uint8_t> out;
  if (!stbi_write_tga_to_func(append_bytes, &out, width, height, channels, samples.data())) {
    throw std::runtime_error("encode_tga: stbi_write_tga_to_func failed");
  }
  return out;
}

std::vector<uint8_t> encode_jpeg(int width, int height, int channels, const std::vector<uint8_t>& samples,
                                 int orientation, bool big_endian) {
  std::vector<uint8_t> jpeg;
  if (!stbi_write_jpg_to_func(append_bytes, &jpeg, width, height, channels, samples.data(), 95)) {
    throw std::runtime_error("encode_jpeg: stbi_write_jpg_to_func failed");
  }
  if (orientation == 0) return jpeg;
  // APP1 "Exif\0\0" + TIFF header + IFD0 with the one Orientation entry, spliced in right after SOI.
  std::vector<uint8_t> tiff;
  tiff.insert(tiff.end(),
              big_endian ? std::initializer_list<uint8_t>{'M', 'M'} : std::initializer_list<uint8_t>{'I', 'I'});
  put_tiff16(tiff, 42, big_endian);
  put_tiff32(tiff, 8, big_endian);
  put_tiff16(tiff, 1, big_endian);
  put_tiff16(tiff, 0x0112, big_endian);
  put_tiff16(tiff, 3, big_endian);
  put_tiff32(tiff, 1, big_endian);
  put_tiff16(tiff, static_cast<uint32_t>(orientation), big_endian);
  put_tiff16(tiff, 0, big_endian);
  put_tiff32(tiff, 0, big_endian);
  std::vector<uint8_t> app1 = {0xff, 0xe1};
  const size_t length = 2 + 6 + tiff.size();
  app1.push_back(static_cast<uint8_t>(length >> 8));
  app1.push_back(static_cast<uint8_t>(length));
  app1.insert(app1.end(), {'E', 'x', 'i', 'f', 0, 0});
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
  return jpeg;
}

std::vector<uint8_t> to_samples(const GrayImage& image) { return image.to_u8(); }

void draw_stroke(GrayImage& image, float x0, float y0, float x1, float y1, float width, float ink) {
  const float dx = x1 - x0, dy = y1 - y0;
  const float length2 = std::max(dx * dx + dy * dy, 1e-6f);
  const int left = std::max(0, static_cast<int>(std::floor(std::min(x0, x1) - width)));
  const int right = std::min(image.width() - 1, static_cast<int>(std::ceil(std::max(x0, x1) + width)));
  const int top = std::max(0, static_cast<int>(std::floor(std::min(y0, y1) - width)));
  const int bottom = std::min(image.height() - 1, static_cast<int>(std::ceil(std::max(y0, y1) + width)));
  for (int y = top; y <= bottom; ++y) {
    for (int x = left; x <= right; ++x) {
      const float px = x + 0.5f, py = y + 0.5f;
      const float t = std::clamp(((px - x0) * dx + (py - y0) * dy) / length2, 0.0f, 1.0f);
      const float distance = std::hypot(px - x0 - t * dx, py - y0 - t * dy);
      const float cover = std::clamp(width / 2.0f - distance + 0.5f, 0.0f, 1.0f);
      image.at(x, y) += (ink - image.at(x, y)) * cover;
    }
  }
}

void draw_two(GrayImage& image, float x, float y, float side, float width, float ink) {
  const float points[][2] = {{0.2f, 0.25f},  {0.35f, 0.06f}, {0.6f, 0.04f}, {0.78f, 0.2f},
                             {0.72f, 0.42f}, {0.2f, 0.94f},  {0.85f, 0.94f}};
  for (size_t i = 0; i + 1 < sizeof points / sizeof points[0]; ++i) {
    draw_stroke(image, x + points[i][0] * side, y + points[i][1] * side, x + points[i + 1][0] * side,
                y + points[i + 1][1] * side, width, ink);
  }
}

void draw_zero(GrayImage& image, float x, float y, float side, float width, float ink) {
  constexpr int kSegments = 36;
  const float cx = x + side / 2.0f, cy = y + side / 2.0f, rx = 0.3f * side, ry = 0.47f * side;
  for (int i = 0; i < kSegments; ++i) {
    const float a0 = 6.2831853f * i / kSegments, a1 = 6.2831853f * (i + 1) / kSegments;
    draw_stroke(image, cx + rx * std::cos(a0), cy + ry * std::sin(a0), cx + rx * std::cos(a1), cy + ry * std::sin(a1),
                width, ink);
  }
}

void draw_six(GrayImage& image, float x, float y, float side, float width, float ink) {
  constexpr int kSegments = 30;
  const float cx = x + 0.5f * side, cy = y + 0.7f * side, r = 0.25f * side;
  for (int i = 0; i < kSegments; ++i) {
    const float a0 = 6.2831853f * i / kSegments, a1 = 6.2831853f * (i + 1) / kSegments;
    draw_stroke(image, cx + r * std::cos(a0), cy + r * std::sin(a0), cx + r * std::cos(a1), cy + r * std::sin(a1),
                width, ink);
  }
  draw_stroke(image, cx - r, cy, x + 0.62f * side, y + 0.03f * side, width, ink);
}

double mean_abs_difference(const GrayImage& a, const GrayImage& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(a.data()[i] - b.data()[i]);
  return sum / static_cast<double>(a.size());
}

}  // namespace digitlab::testing
