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

/// The network input for a cropped digit (white on black): scaled into the 20-pixel box, strokes thickened to
/// options.min_stroke_width, centred by mass in 28x28 like MNIST.
GrayImage render_input(const GrayImage& cropped, const PreprocessOptions& options);

}  // namespace digitlab::detail
