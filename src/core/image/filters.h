#pragma once
// Neighbourhood filters for preprocess(): running minimum and maximum, box blur, disk dilation.

#include <digitlab/gray_image.h>

namespace digitlab::detail {

/// Minimum (`take_max` false) or maximum over a (2r+1)-pixel square, cut at the border.
GrayImage rank_filter(const GrayImage& in, int radius, bool take_max);

/// Mean over a (2r+1)-pixel square, cut at the border.
GrayImage box_blur(const GrayImage& in, int radius);

/// Grey dilation with a disk: every stroke grows by `radius` pixels on each side, soft edges stay soft.
GrayImage dilate_disk(const GrayImage& in, int radius);

}  // namespace digitlab::detail
