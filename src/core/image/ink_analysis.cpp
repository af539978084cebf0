#include "image/ink_analysis.h"

#include "image/lighting.h"
#include "image/paper_marks.h"
#include "image/polarity.h"

#include <algorithm>

namespace digitlab::detail {

InkAnalysis analyse_ink(const GrayImage& image, const Region& region, const PreprocessOptions& options,
                        InkPolarity polarity) {
  InkAnalysis a;
  a.region = region;
  const int max_side = std::max(options.work_max_side, 16);
  a.factor = std::max(1, (std::max(region.width, region.height) + max_side - 1) / max_side);
  a.work = downscale_region(image, region, a.factor);

  const SmallCopy small = small_copy(a.work);
  const Tones tones = split_tones(a.work, small);
  a.dark_ink = polarity == InkPolarity::kAuto ? tones.dark_ink : polarity == InkPolarity::kDarkOnLight;
  const GrayImage background =
      estimate_background(small, a.dark_ink, tones.stroke_width, a.work.width(), a.work.height());
  std::vector<float> residue(a.work.size());
  const float sign = a.dark_ink ? -1.0f : 1.0f;
  const float offset = a.dark_ink ? 1.0f : 0.0f;
  for (size_t i = 0; i < residue.size(); ++i) {
    residue[i] = std::max(0.0f, offset + sign * a.work.data()[i] - background.data()[i]);
  }
  // Normalise and find the strokes; again (up to twice) if paper edges or ruled lines had to be erased, since they
  // may have set the ink level.
  for (int pass = 0; pass < 3; ++pass) {
    const InkLevels levels = measure_ink(residue);
    if (levels.contrast < options.min_contrast) {
      a.ink = GrayImage();
      a.components.clear();
      return a;
    }
    a.ink = GrayImage(a.work.width(), a.work.height());
    const float span = std::max(levels.level - levels.floor, 1e-3f);
    for (size_t i = 0; i < residue.size(); ++i) {
      a.ink.data()[i] = std::clamp((residue[i] - levels.floor) / span, 0.0f, 1.0f);
    }
    a.components = label_components(a.ink, a.labels);
    if (pass == 2) break;
    const bool edges = erase_paper_edges(a.ink, a.labels, a.components, small.factor, residue);
    const bool lines = erase_ruled_rows(a.ink, residue);
    if (!edges && !lines) break;
  }
  a.candidates = writing_candidates(a.components, a.work.width(), a.work.height());
  return a;
}

Region whole(const GrayImage& image) { return {0, 0, image.width(), image.height()}; }

DigitBox input_box(const InkAnalysis& look, const Component& box) {
  const Region& r = look.region;
  const int x = r.x + box.x0 * look.factor;
  const int y = r.y + box.y0 * look.factor;
  return {x, y, std::min(box.width() * look.factor, r.x + r.width - x),
          std::min(box.height() * look.factor, r.y + r.height - y)};
}

InputTransform input_transform(const InkAnalysis& look, const Component& box, const InputTransform& in_crop) {
  const float f = static_cast<float>(look.factor);
  return {look.region.x + (box.x0 + in_crop.x0) * f, look.region.y + (box.y0 + in_crop.y0) * f, in_crop.scale_x * f,
          in_crop.scale_y * f};
}

}  // namespace digitlab::detail
