#pragma once
// Statistics of the image code: Otsu's split of a histogram into two tones, and the width of strokes.

#include "image/histogram.h"

#include <digitlab/gray_image.h>

namespace digitlab::detail {

/// Otsu's split of a histogram into a low and a high class.
struct Split {
  float threshold = 0.0f;  ///< The high class starts here (2 when there is a single value: no high class).
  float low_mean = 0.0f;
  float low_sigma = 0.0f;
  float high_mean = 0.0f;  ///< Equal to low_mean when the high class is empty.
  float high_median = 0.0f;
  float high_share = 0.0f;  ///< Share of the values in the high class.
};

/// The split of `hist` that maximises the between-class variance; all zero for an empty histogram.
Split otsu_split(const Histogram& hist);

/// Stroke width of the pixels at or above `level`: twice the area over the outline length.
float stroke_width(const GrayImage& image, float level);

}  // namespace digitlab::detail
