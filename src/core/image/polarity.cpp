#include "image/polarity.h"

#include "image/filters.h"
#include "image/preprocess_constants.h"
#include "image/resampling.h"
#include "image/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace digitlab::detail {

namespace {

constexpr float kLocalMeanRadius = 0.25f;  // box-blur radius for the local mean, share of the copy's shorter side

// Polarity: the weights of the rarer-tone and border cues against the thinner-tone cue; a frame is peeled off
// in rows and columns at least this full of its tone, at most this deep (share of the side).
constexpr double kAreaWeight = 0.5;
constexpr double kBorderWeight = 1.5;
constexpr double kFrameFill = 0.95;
constexpr float kFrameDepth = 0.4f;
constexpr float kFrameInset = 0.02f;
constexpr float kFrameBand = 0.05f;
constexpr double kFrameInnerFill = 0.8;
constexpr double kSheetMinInk = 0.003;
constexpr float kSheetInkContrast = 0.15f;

// Mean chamfer distance (3-4, in pixels) of the pixels of each tone to the boundary between the tones
// (`light` is 1 for the light tone); the image border is not a boundary. Also counts the boundary's edges.
struct Thickness {
  double light = 0.0;
  double dark = 0.0;
  double light_pixels = 0.0;
  double dark_pixels = 0.0;
  double boundary_edges = 0.0;
};

Thickness measure_thickness(const std::vector<uint8_t>& light, int w, int h) {
  constexpr int kOrtho = 3;
  constexpr int kDiag = 4;
  constexpr int kFar = std::numeric_limits<int>::max() / 4;
  // Distances on a grid padded by one far pixel on each side, so the passes need no bounds checks.
  const int pw = w + 2;
  std::vector<int> dist(static_cast<size_t>(pw) * (h + 2), kFar);
  Thickness t;
  int64_t edges = 0;
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = light.data() + static_cast<size_t>(y) * w;
    const uint8_t* below = y + 1 < h ? row + w : nullptr;
    int* d = dist.data() + static_cast<size_t>(y + 1) * pw + 1;
    for (int x = 0; x < w; ++x) {
      if (x + 1 < w && row[x] != row[x + 1]) {
        d[x] = d[x + 1] = 0;
        ++edges;
      }
      if (below && row[x] != below[x]) {
        d[x] = d[x + pw] = 0;
        ++edges;
      }
    }
  }
  t.boundary_edges = static_cast<double>(edges);
  for (int y = 1; y <= h; ++y) {
    int* d = dist.data() + static_cast<size_t>(y) * pw;
    const int* up = d - pw;
    for (int x = 1; x <= w; ++x) {
      const int best = std::min({d[x - 1] + kOrtho, up[x] + kOrtho, up[x - 1] + kDiag, up[x + 1] + kDiag});
      d[x] = std::min(d[x], best);
    }
  }
  // Sums of distances (in chamfer units) and counts per tone; pixels with no boundary at all count as far.
  int64_t sum[2] = {0, 0};
  int64_t count[2] = {0, 0};
  int64_t unreached[2] = {0, 0};
  for (int y = h; y >= 1; --y) {
    int* d = dist.data() + static_cast<size_t>(y) * pw;
    const int* down = d + pw;
    const uint8_t* row = light.data() + static_cast<size_t>(y - 1) * w;
    for (int x = w; x >= 1; --x) {
      const int best = std::min({d[x + 1] + kOrtho, down[x] + kOrtho, down[x + 1] + kDiag, down[x - 1] + kDiag});
      d[x] = std::min(d[x], best);
      const int tone = row[x - 1];
      ++count[tone];
      if (d[x] >= kFar) {
        ++unreached[tone];
      } else {
        sum[tone] += d[x];
      }
    }
  }
  const double far = std::max(w, h);
  t.light_pixels = static_cast<double>(count[1]);
  t.dark_pixels = static_cast<double>(count[0]);
  t.light = static_cast<double>(sum[1]) / kOrtho + far * static_cast<double>(unreached[1]);
  t.dark = static_cast<double>(sum[0]) / kOrtho + far * static_cast<double>(unreached[0]);
  if (t.light_pixels > 0.0) t.light /= t.light_pixels;
  if (t.dark_pixels > 0.0) t.dark /= t.dark_pixels;
  return t;
}

// Which tone the border says is the paper, as the log-odds that the light tone is (`light` holds the tones of
// `work`): the tone covering most of the border ring, unless that tone is a frame, such as a desk around a sheet.
// Rows and columns (almost) entirely of the border's tone are peeled off the sides; if that peels at least two
// sides of a photo-sized image and leaves a sheet inside (a band of the other tone, then mostly the other tone with
// some ink on it), the other tone is the paper. Margins around a digit also peel, but the band inside them
// crosses its strokes.
double border_says_light(const GrayImage& work, const std::vector<uint8_t>& light) {
  const int w = work.width();
  const int h = work.height();
  const auto share_on_ring = [&](int x0, int y0, int x1, int y1) {  // light share on the ring of a rectangle
    double on = 0.0, n = 0.0;
    for (int x = x0; x <= x1; ++x) {
      on += light[static_cast<size_t>(y0) * w + x] + light[static_cast<size_t>(y1) * w + x];
      n += 2.0;
    }
    for (int y = y0; y <= y1; ++y) {
      on += light[static_cast<size_t>(y) * w + x0] + light[static_cast<size_t>(y) * w + x1];
      n += 2.0;
    }
    return on / n;
  };
  double share = share_on_ring(0, 0, w - 1, h - 1);
  const auto log_odds = [](double p) {
    p = std::clamp(p, 0.05, 0.95);
    return std::log(p / (1.0 - p));
  };
  if (std::min(w, h) < kPhotoMinSide) return log_odds(share);

  const uint8_t frame = share >= 0.5;
  const auto row_is_frame = [&](int y, int x0, int x1) {
    int count = 0;
    for (int x = x0; x <= x1; ++x) count += light[static_cast<size_t>(y) * w + x] == frame;
    return count >= kFrameFill * (x1 - x0 + 1);
  };
  const auto column_is_frame = [&](int x, int y0, int y1) {
    int count = 0;
    for (int y = y0; y <= y1; ++y) count += light[static_cast<size_t>(y) * w + x] == frame;
    return count >= kFrameFill * (y1 - y0 + 1);
  };
  int x0 = 0, y0 = 0, x1 = w - 1, y1 = h - 1;
  const int max_x = static_cast<int>(kFrameDepth * w), max_y = static_cast<int>(kFrameDepth * h);
  while (y0 < max_y && row_is_frame(y0, x0, x1)) ++y0;
  while (h - 1 - y1 < max_y && row_is_frame(y1, x0, x1)) --y1;
  while (x0 < max_x && column_is_frame(x0, y0, y1)) ++x0;
  while (w - 1 - x1 < max_x && column_is_frame(x1, y0, y1)) --x1;
  const int peeled_sides = (x0 > 0) + (y0 > 0) + (x1 < w - 1) + (y1 < h - 1);
  const int inset = std::max(2, static_cast<int>(kFrameInset * std::max(w, h)));  // past the sheet's soft edge
  const int depth = std::max(2, static_cast<int>(kFrameBand * std::max(w, h)));
  const int ix0 = x0 + inset + depth, iy0 = y0 + inset + depth, ix1 = x1 - inset - depth, iy1 = y1 - inset - depth;
  if (peeled_sides < 2 || ix0 >= ix1 || iy0 >= iy1) return log_odds(share);

  double band = 0.0;
  for (int k = inset; k < inset + depth; ++k) band += share_on_ring(x0 + k, y0 + k, x1 - k, y1 - k);
  band /= depth;
  const double band_paper = frame ? 1.0 - band : band;
  if (band_paper < kFrameInnerFill) return log_odds(share);
  // The sheet's paper level, and how much of it is paper or carries ink (pixels well away from that level).
  std::vector<float> inside;
  double paper_inside = 0.0;
  for (int y = iy0; y <= iy1; ++y) {
    for (int x = ix0; x <= ix1; ++x) {
      const size_t i = static_cast<size_t>(y) * w + x;
      inside.push_back(work.data()[i]);
      paper_inside += light[i] != frame;
    }
  }
  std::nth_element(inside.begin(), inside.begin() + inside.size() / 2, inside.end());
  const float paper_level = inside[inside.size() / 2];
  double inked = 0.0;
  for (float v : inside) inked += std::abs(v - paper_level) >= kSheetInkContrast;
  const double n = static_cast<double>(inside.size());
  if (paper_inside / n >= 0.5 && inked / n >= kSheetMinInk) share = band;
  return log_odds(share);
}

}  // namespace

Tones split_tones(const GrayImage& work, const SmallCopy& small) {
  const int w = work.width();
  const int h = work.height();
  const int radius =
      std::max(1, static_cast<int>(kLocalMeanRadius * std::min(small.image.width(), small.image.height())));
  const GrayImage local_mean = resample(box_blur(small.image, radius), w, h);
  std::vector<float> detail(work.size());
  Histogram hist;
  for (size_t i = 0; i < detail.size(); ++i) {
    detail[i] = std::clamp(0.5f + 0.5f * (work.data()[i] - local_mean.data()[i]), 0.0f, 1.0f);
    hist.add(detail[i]);
  }
  const float threshold = otsu_split(hist).threshold;
  std::vector<uint8_t> light(work.size());
  for (size_t i = 0; i < light.size(); ++i) light[i] = detail[i] >= threshold;

  const Thickness t = measure_thickness(light, w, h);
  // The border is judged on the plain tones: a desk around the sheet is one tone there, whatever the shading.
  Histogram plain;
  for (float v : work.pixels()) plain.add(v);
  const float plain_threshold = otsu_split(plain).threshold;
  std::vector<uint8_t> plain_light(work.size());
  for (size_t i = 0; i < plain_light.size(); ++i) plain_light[i] = work.data()[i] >= plain_threshold;
  const double border = border_says_light(work, plain_light);
  const double total = t.light_pixels + t.dark_pixels;
  const double light_share = std::clamp(t.light_pixels / total, 1e-3, 1.0 - 1e-3);
  const double score = std::log((t.light + 0.5) / (t.dark + 0.5)) +
                       kAreaWeight * std::log(light_share / (1.0 - light_share)) + kBorderWeight * border;
  Tones tones;
  tones.dark_ink = score > 0.0;
  const double ink_pixels = tones.dark_ink ? t.dark_pixels : t.light_pixels;
  tones.stroke_width =
      t.boundary_edges > 0.0 ? static_cast<float>(2.0 * ink_pixels / (t.boundary_edges * kPi / 4.0)) : 0.0f;
  return tones;
}

}  // namespace digitlab::detail
