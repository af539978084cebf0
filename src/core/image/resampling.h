#pragma once
// Resampling for preprocess(): integer area-average downscaling of a region, and resizing to any size.

#include <digitlab/gray_image.h>

namespace digitlab::detail {

/// A rectangle of the input, in input pixels.
struct Region {
  int x = 0, y = 0, width = 0, height = 0;
};

/// Area average of `region` of `in`, shrunk by an integer factor (the last row and column of boxes may be cut);
/// every later step works on such a copy. Values outside [0, 1] (and NaN) are clamped.
GrayImage downscale_region(const GrayImage& in, const Region& region, int factor);

/// downscale_region() of the whole image; `in` itself when `factor` <= 1.
GrayImage downscale_by(const GrayImage& in, int factor);

/// `in` resized to out_width x out_height: area averaging when shrinking, linear interpolation when enlarging.
GrayImage resample(const GrayImage& in, int out_width, int out_height);

/// Scales `image` so that its longer side is `side` pixels, keeping the aspect ratio.
GrayImage fit_longer_side(const GrayImage& image, int side);

}  // namespace digitlab::detail
