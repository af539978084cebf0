#pragma once
// Rendering for preprocess(): the chosen strokes cut out, then scaled, thickened and centred into the input.

#include "image/ink_analysis.h"
#include "image/strokes.h"

#include <digitlab/gray_image.h>
#include <digitlab/preprocessor.h>

#include <vector>

namespace digitlab::detail {

/// The chosen strokes' ink with the soft fringe around them (ink within one pixel), cut to its bounding box.
struct Crop {
  GrayImage ink;
  Component box;  // working pixels
};

/// The `chosen` strokes of `a` cut out with their soft fringe; empty when they hold no ink.
Crop crop_digit(const InkAnalysis& a, const std::vector<int>& chosen);

/// The ink of `a` under `chosen_pixels` (a mask of working pixels whose top-left lies at gx0, gy0) grown by one
/// pixel, cut to its bounding box; empty when it holds no ink.
Crop crop_gated(const InkAnalysis& a, const GrayImage& chosen_pixels, int gx0, int gy0);

/// `image` cut to the bounding box of its non-zero pixels (unchanged when it has none).
GrayImage trim(const GrayImage& image);

/// The network input for a cropped digit (white on black): scaled into the 20-pixel box, strokes thickened to
/// options.min_stroke_width, centred by mass in 28x28 like MNIST. When `transform` is given, it receives where the
/// input lies on `cropped` (in cropped's pixels).
GrayImage render_input(const GrayImage& cropped, const PreprocessOptions& options, InputTransform* transform = nullptr);

}  // namespace digitlab::detail
