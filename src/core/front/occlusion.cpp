#include "front/occlusion.h"

#include <algorithm>
#include <cmath>

namespace digitlab {
namespace {

/// Probabilities below this count as this, so that the score stays finite when a class's probability underflows.
constexpr double kFloor = 1e-30;

/// Top-left corners (x, y) of the patches that hold ink. Corners run from -(patch - 1) so that every pixel is covered
/// by patch * patch patches, the border ones included.
std::vector<std::pair<int, int>> inked_patches(const std::vector<float>& input) {
  std::vector<std::pair<int, int>> patches;
  for (int y = 1 - kOcclusionPatch; y < kInputSide; ++y) {
    for (int x = 1 - kOcclusionPatch; x < kInputSide; ++x) {
      bool ink = false;
      for (int v = std::max(0, y); v < std::min(kInputSide, y + kOcclusionPatch); ++v) {
        for (int u = std::max(0, x); u < std::min(kInputSide, x + kOcclusionPatch); ++u) {
          ink = ink || input[static_cast<size_t>(v) * kInputSide + u] > kFaintInk;
        }
      }
      if (ink) patches.emplace_back(x, y);
    }
  }
  return patches;
}

/// Calls visit(pixel index) for each input pixel of the patch at corner (x, y).
template <typename Visit>
void for_each_pixel(const std::pair<int, int>& corner, Visit visit) {
  const auto [x, y] = corner;
  for (int v = std::max(0, y); v < std::min(kInputSide, y + kOcclusionPatch); ++v) {
    for (int u = std::max(0, x); u < std::min(kInputSide, x + kOcclusionPatch); ++u) {
      visit(static_cast<size_t>(v) * kInputSide + u);
    }
  }
}

}  // namespace

double occlusion_score(const std::vector<float>& probabilities, int target, int versus) {
  const double chosen = probabilities.at(static_cast<size_t>(target));
  double other = 0.0;
  if (versus >= 0) {
    other = probabilities.at(static_cast<size_t>(versus));
  } else {
    // The other classes' total from their own values: 1 - p(target) would round to 0 for a sure answer.
    for (size_t c = 0; c < probabilities.size(); ++c)
      other += c == static_cast<size_t>(target) ? 0.0 : probabilities[c];
  }
  return std::log(std::max(chosen, kFloor)) - std::log(std::max(other, kFloor));
}

std::vector<float> occlusion_map(const Predictor& predictor, const std::vector<float>& input, int target, int versus) {
  const auto patches = inked_patches(input);
  std::vector<float> map(kInputPixels, 0.0f);
  if (patches.empty()) return map;
  // Every occluded copy at once, then the original last: one batch.
  std::vector<float> batch;
  batch.reserve((patches.size() + 1) * kInputPixels);
  for (const auto& corner : patches) {
    const size_t start = batch.size();
    batch.insert(batch.end(), input.begin(), input.end());
    for_each_pixel(corner, [&](size_t p) { batch[start + p] = 0.0f; });
  }
  batch.insert(batch.end(), input.begin(), input.end());
  const auto answers = predictor.predict_batch(batch, patches.size() + 1);
  const double original = occlusion_score(answers.back().probabilities, target, versus);
  const float share = 1.0f / (kOcclusionPatch * kOcclusionPatch);
  for (size_t i = 0; i < patches.size(); ++i) {
    const auto fall = static_cast<float>(original - occlusion_score(answers[i].probabilities, target, versus));
    for_each_pixel(patches[i], [&](size_t p) { map[p] += fall * share; });
  }
  return map;
}

}  // namespace digitlab
