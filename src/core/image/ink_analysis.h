#pragma once
// One look at (a region of) the input for preprocess(): working image, polarity, normalised ink, strokes.

#include "image/resampling.h"
#include "image/strokes.h"

#include <digitlab/gray_image.h>
#include <digitlab/preprocessor.h>

#include <vector>

namespace digitlab::detail {

/// One look at (a region of) the input: its working image, which way the ink is, the normalised ink and strokes.
struct InkAnalysis {
  Region region;   // the part of the input looked at
  int factor = 1;  // input pixels per working pixel
  GrayImage work;  // that region at working resolution
  bool dark_ink = true;
  GrayImage ink;            // normalised ink, white on black; empty when there is too little contrast
  std::vector<int> labels;  // component per working pixel, -1 for none
  std::vector<Component> components;
  std::vector<int> candidates;  // components that may be writing
};

/// Looks at `region` of `image` at working resolution: decides the polarity (unless `polarity` says it), takes
/// out the lighting, normalises the ink, finds its strokes and the candidates among them for writing. `ink` stays
/// empty when the contrast is below options.min_contrast.
InkAnalysis analyse_ink(const GrayImage& image, const Region& region, const PreprocessOptions& options,
                        InkPolarity polarity);

/// All of `image`.
Region whole(const GrayImage& image);

/// The box of `look`'s working pixels `box` in the input image's pixels, within the region looked at.
DigitBox input_box(const InkAnalysis& look, const Component& box);

/// Where the network input lies on the input image, from where it lies (`in_crop`) on the crop of `look`'s working
/// pixels at `box`.
InputTransform input_transform(const InkAnalysis& look, const Component& box, const InputTransform& in_crop);

}  // namespace digitlab::detail
