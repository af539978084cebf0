#include "image/lighting.h"

#include "image/filters.h"
#include "image/preprocess_constants.h"
#include "image/resampling.h"
#include "image/statistics.h"

#include <algorithm>
#include <cmath>

namespace digitlab::detail {

namespace {

// The image's local mean and the paper under the strokes are estimated on a copy at most this large.
constexpr int kBackgroundSide = 64;
// The paper is a grey opening (erase bright strokes, keep broad shading) whose radius is at least 3/4 of the
// stroke width, so thick strokes are not hollowed out, and between these shares of the copy's shorter side.
// On small images (crops, small canvases: little shading, strokes may be half the image wide) the window may grow
// to a larger share.
constexpr float kMinBackgroundRadius = 0.1f;
constexpr float kMaxBackgroundRadius = 0.2f;
constexpr float kMaxBackgroundRadiusSmall = 0.6f;
constexpr float kStrokesPerRadius = 0.75f;
constexpr float kNoiseSigmas = 2.0f;  // the paper's noise floor, in standard deviations above its mean

}  // namespace

SmallCopy small_copy(const GrayImage& work) {
  SmallCopy small;
  small.factor = std::max(1, (std::max(work.width(), work.height()) + kBackgroundSide - 1) / kBackgroundSide);
  small.image = downscale_by(work, small.factor);
  return small;
}

// The paper's brightness under the strokes, on an image where ink is bright: a grey opening (minimum then
// maximum over a square) on the small copy erases strokes narrower than the window and keeps shading, then is
// enlarged back. The window is 1.5 stroke widths (within limits), so thick strokes are not hollowed out.
GrayImage estimate_background(const SmallCopy& small, bool dark_ink, float stroke_width, int width, int height) {
  GrayImage ink_high = small.image;
  if (dark_ink) {
    for (size_t i = 0; i < ink_high.size(); ++i) ink_high.data()[i] = 1.0f - ink_high.data()[i];
  }
  const float shorter = static_cast<float>(std::min(ink_high.width(), ink_high.height()));
  const float wanted = kStrokesPerRadius * stroke_width / small.factor;
  const float most = std::min(width, height) < kPhotoMinSide ? kMaxBackgroundRadiusSmall : kMaxBackgroundRadius;
  const float radius = std::clamp(wanted, kMinBackgroundRadius * shorter, most * shorter);
  const int r = std::max(2, static_cast<int>(std::lround(radius)));
  const GrayImage opened = rank_filter(rank_filter(ink_high, r, false), r, true);
  return resample(opened, width, height);
}

InkLevels measure_ink(const std::vector<float>& residue) {
  Histogram hist;
  for (float v : residue) hist.add(v);
  const Split split = otsu_split(hist);
  InkLevels levels;
  if (split.high_share <= 0.0f) return levels;
  levels.level = split.high_median;
  levels.floor = std::min(split.low_mean + kNoiseSigmas * split.low_sigma, 0.5f * split.threshold);
  levels.contrast = levels.level - split.low_mean;
  return levels;
}

}  // namespace digitlab::detail
