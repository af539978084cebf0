#pragma once
// Tiny image files and synthetic drawings made inside the tests (and the fuzzer's seed corpus), so no third-party
// image ever enters the repository.

#include <digitlab/gray_image.h>

#include <array>
#include <cstdint>
#include <vector>

namespace digitlab::testing {

/// The mean absolute difference of two images of the same size, pixel by pixel.
double mean_abs_difference(const GrayImage& a, const GrayImage& b);

/// An 8-bit PNG; `channels` is 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); samples row-major, interleaved.
std::vector<uint8_t> encode_png(int width, int height, int channels, const std::vector<uint8_t>& samples);

/// A 16-bit grey PNG.
std::vector<uint8_t> encode_png16(int width, int height, const std::vector<uint16_t>& samples);

/// A palette PNG: one index per pixel into `palette` (RGB).
std::vector<uint8_t> encode_png_palette(int width, int height, const std::vector<std::array<uint8_t, 3>>& palette,
                                        const std::vector<uint8_t>& indices);

/// A 24-bit BMP from RGB samples.
std::vector<uint8_t> encode_bmp(int width, int height, const std::vector<uint8_t>& rgb);

/// A GIF with a grey palette (one frame, uncompressed LZW codes).
std::vector<uint8_t> encode_gif(int width, int height, const std::vector<uint8_t>& grey);

/// A TGA (1, 3 or 4 channels).
std::vector<uint8_t> encode_tga(int width, int height, int channels, const std::vector<uint8_t>& samples);

/// A baseline JPEG (quality 95); with `orientation` 1..8 it carries an EXIF APP1 segment holding that
/// Orientation tag, in big-endian (MM) or little-endian (II) TIFF byte order.
std::vector<uint8_t> encode_jpeg(int width, int height, int channels, const std::vector<uint8_t>& samples,
                                 int orientation = 0, bool big_endian = true);

/// The image's pixels as 8-bit grey samples.
std::vector<uint8_t> to_samples(const GrayImage& image);

/// A straight stroke with round ends from (x0, y0) to (x1, y1), `width` pixels wide and anti-aliased, painted
/// in `ink` over the image.
void draw_stroke(GrayImage& image, float x0, float y0, float x1, float y1, float width, float ink);

/// A "2" made of strokes in the box (x, y, side x side), strokes `width` pixels wide, painted in `ink`.
void draw_two(GrayImage& image, float x, float y, float side, float width, float ink);

/// A "0" (an ellipse, side tall and 0.6 side wide) in the box (x, y, side), painted in `ink`.
void draw_zero(GrayImage& image, float x, float y, float side, float width, float ink);

/// A "6" (a loop with a stem) in the box (x, y, side), painted in `ink`.
void draw_six(GrayImage& image, float x, float y, float side, float width, float ink);

}  // namespace digitlab::testing
