#pragma once

#include <digitlab/gray_image.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace digitlab {

/// Largest image accepted, in pixels (width * height): 50 megapixels.
constexpr int64_t kMaxImagePixels = 50'000'000;

/// Reads and decodes an image file (PNG incl. 16-bit and palette, JPEG, BMP, GIF's first frame, TGA) into its
/// luminance, as decode_image() does. Throws std::runtime_error "<path>: <what>" if the file is missing, a
/// folder, unreadable or empty, or if decode_image() rejects its bytes.
GrayImage load_image(const std::filesystem::path& path);

/// Decodes an image held in memory into luminance in [0, 1]:
/// - colour becomes luminance (see luminance());
/// - transparency is composited onto a background chosen from the opaque pixels: onto the colour opposite to the
///   ink when the opaque part is ink alone (white strokes on a transparent canvas end up white on black), onto
///   the paper's tone when the opaque part is a sheet holding dark and light pixels;
/// - a JPEG's EXIF orientation is applied, except that a 90/270-degree turn is skipped when the stored pixels
///   already show upright digits (taller than wide) and turning them would lay them on their side.
/// Throws std::runtime_error "<name_for_errors>: <what>" for empty or non-image data, an unsupported format, a
/// zero dimension, more than kMaxImagePixels pixels, or truncated or corrupt data. Never crashes on bad bytes.
GrayImage decode_image(const uint8_t* data, size_t size, const std::string& name_for_errors);

/// Luma of a gamma-encoded RGB colour, each channel in [0, 1], with the Rec. 601 weights used by JPEG and most
/// image libraries' RGB-to-grey conversion (0.299 R + 0.587 G + 0.114 B): blue and red pens stay dark on paper.
float luminance(float r, float g, float b);

/// The EXIF Orientation (1..8) stored in a JPEG's APP1 "Exif" segment (TIFF header II or MM, IFD0 tag 0x0112),
/// or 1 when `data` is not a JPEG, has no such tag, or the tag is malformed or out of range. Never throws.
int read_exif_orientation(const uint8_t* data, size_t size);

/// Returns `image` as it is meant to be displayed under EXIF orientation `orientation`: 2 mirrors left-right,
/// 3 turns 180 degrees, 4 mirrors top-bottom, 5 transposes, 6 turns 90 degrees clockwise, 7 transverses,
/// 8 turns 90 degrees counter-clockwise; 1 or any other value returns the image unchanged.
GrayImage apply_exif_orientation(const GrayImage& image, int orientation);

}  // namespace digitlab
