#pragma once
// Lighting for preprocess(): the paper's brightness under the strokes, and how bright the ink is above it.

#include <digitlab/gray_image.h>

#include <vector>

namespace digitlab::detail {

/// The working image's small copy (for lighting), shared by the tone split and the background estimate.
struct SmallCopy {
  GrayImage image;
  int factor = 1;
};

/// The small copy of `work` (at most kBackgroundSide pixels a side) that lighting is estimated on.
SmallCopy small_copy(const GrayImage& work);

/// The paper's brightness under the strokes, width x height, on an image where ink is bright (inverted when
/// `dark_ink`): a grey opening of the small copy, about 1.5 stroke widths wide, enlarged back.
GrayImage estimate_background(const SmallCopy& small, bool dark_ink, float stroke_width, int width, int height);

/// How bright ink is above the paper: the paper's noise floor, a typical stroke core, and their contrast.
struct InkLevels {
  float floor = 0.0f;
  float level = 1.0f;
  float contrast = 0.0f;
};

/// The ink levels of `residue` (ink above the paper): its Otsu split's high class is the ink.
InkLevels measure_ink(const std::vector<float>& residue);

}  // namespace digitlab::detail
