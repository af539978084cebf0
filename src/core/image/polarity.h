#pragma once
// Polarity for preprocess(): which of the image's two tones is ink, and how wide its strokes are.

#include "image/lighting.h"

#include <digitlab/gray_image.h>

namespace digitlab::detail {

/// The image's two tones after its local mean is taken out (so shading does not decide the split): which one is
/// ink, and how wide its strokes are.
struct Tones {
  bool dark_ink = true;
  float stroke_width = 0.0f;  // of the ink tone, in working pixels
};

/// Ink is the tone that is thinner (strokes, not broad areas) and, less strongly, the rarer one; the tone covering
/// the border (unless it is a frame around a sheet) is paper. `small` is small_copy(work).
Tones split_tones(const GrayImage& work, const SmallCopy& small);

}  // namespace digitlab::detail
