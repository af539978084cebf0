#pragma once
// Writing PNG files (a user's samples, explanation pictures): encoded in memory, then written to a temporary name
// and renamed, so a crash or a full disk never leaves half a picture. Torch-free header.

#include <digitlab/gray_image.h>

#include <cstdint>
#include <filesystem>

namespace digitlab {

/// Writes width x height pixels of `channels` 8-bit samples each (1 grey, 3 RGB, 4 RGBA; row-major, no padding)
/// to `path` as a PNG. Throws std::invalid_argument for a bad size or channel count, std::runtime_error naming the
/// path when it cannot be encoded or written (DiskFullError from util when the disk is full).
void write_png(const std::filesystem::path& path, int width, int height, int channels, const uint8_t* samples);

/// Writes `image` (values in [0, 1], clamped) as an 8-bit grey PNG; throws as above, and for an empty image.
void write_png(const std::filesystem::path& path, const GrayImage& image);

}  // namespace digitlab
