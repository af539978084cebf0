#include "image/statistics.h"

#include "image/preprocess_constants.h"

#include <algorithm>
#include <cmath>

namespace digitlab::detail {

Split otsu_split(const Histogram& hist) {
  double total = 0.0, total_sum = 0.0;
  for (int b = 0; b < Histogram::kBins; ++b) {
    total += hist.count(b);
    total_sum += hist.count(b) * Histogram::value(b);
  }
  Split split;
  if (total == 0.0) return split;
  double best_score = -1.0, below = 0.0, below_sum = 0.0;
  int best = -1;
  for (int b = 0; b + 1 < Histogram::kBins; ++b) {
    below += hist.count(b);
    below_sum += hist.count(b) * Histogram::value(b);
    const double above = total - below;
    if (below == 0.0 || above == 0.0) continue;
    const double diff = (total_sum - below_sum) / above - below_sum / below;
    const double score = below * above * diff * diff;
    if (score > best_score) {
      best_score = score;
      best = b;
    }
  }
  if (best < 0) {  // a single value: all of it is the low class
    split.threshold = 2.0f;
    split.low_mean = static_cast<float>(total_sum / total);
    split.high_mean = split.low_mean;
    return split;
  }
  double low = 0.0, low_sum = 0.0, low_sq = 0.0;
  for (int b = 0; b <= best; ++b) {
    low += hist.count(b);
    low_sum += hist.count(b) * Histogram::value(b);
    low_sq += hist.count(b) * Histogram::value(b) * Histogram::value(b);
  }
  split.threshold = Histogram::value(best + 1);
  split.low_mean = static_cast<float>(low_sum / low);
  split.low_sigma = static_cast<float>(std::sqrt(std::max(0.0, low_sq / low - (low_sum / low) * (low_sum / low))));
  split.high_mean = static_cast<float>((total_sum - low_sum) / (total - low));
  split.high_share = static_cast<float>((total - low) / total);
  const double half = (total - low) / 2.0;
  double seen = 0.0;
  for (int b = best + 1; b < Histogram::kBins; ++b) {
    seen += hist.count(b);
    if (seen >= half) {
      split.high_median = Histogram::value(b);
      break;
    }
  }
  return split;
}

// Stroke width of the pixels at or above `level`: twice the area over the outline length (edge count times
// pi/4, the mean ratio between a staircase outline and the true one).
float stroke_width(const GrayImage& image, float level) {
  const int w = image.width();
  const int h = image.height();
  double area = 0.0;
  double edges = 0.0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (image.at(x, y) < level) continue;
      area += 1.0;
      edges += (x == 0 || image.at(x - 1, y) < level) + (x + 1 == w || image.at(x + 1, y) < level) +
               (y == 0 || image.at(x, y - 1) < level) + (y + 1 == h || image.at(x, y + 1) < level);
    }
  }
  return edges > 0.0 ? static_cast<float>(2.0 * area / (edges * kPi / 4.0)) : 0.0f;
}

}  // namespace digitlab::detail
