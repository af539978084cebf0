#include <digitlab/preprocessor.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace digitlab {

namespace {

constexpr float kPi = 3.14159265f;

// Working resolution: reading a 12-megapixel photo is bound by memory bandwidth, so in each box being averaged
// at most this many rows, evenly spaced, are read once the box is 8 or more pixels tall (strokes are many pixels
// tall at that resolution).
constexpr int kMaxRowsPerBox = 4;
// A digit whose box is smaller than this (working pixels) in a downscaled input is looked at again, in its
// neighbourhood only, at a finer resolution.
constexpr int kRefineBelow = 64;
constexpr float kRefineMargin = 0.25f;  // neighbourhood around the digit, as a share of its longer side

// Lighting: the image's local mean and the paper under the strokes are estimated on a copy at most this large.
constexpr int kBackgroundSide = 64;
constexpr float kLocalMeanRadius = 0.25f;  // box-blur radius for the local mean, share of the copy's shorter side
// The paper is a grey opening (erase bright strokes, keep broad shading) whose radius is at least 3/4 of the
// stroke width, so thick strokes are not hollowed out, and between these shares of the copy's shorter side.
// On small images (crops, small canvases: little shading, strokes may be half the image wide) the window may grow
// to a larger share.
constexpr float kMinBackgroundRadius = 0.1f;
constexpr float kMaxBackgroundRadius = 0.2f;
constexpr float kMaxBackgroundRadiusSmall = 0.6f;
constexpr float kStrokesPerRadius = 0.75f;
// Images whose shorter working side is at least this may be photos (shading, a desk around the sheet).
constexpr int kPhotoMinSide = 96;

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

// Ink: normalised ink at least this is stroke.
constexpr float kMaskLevel = 0.4f;
constexpr float kNoiseSigmas = 2.0f;  // the paper's noise floor, in standard deviations above its mean

// Components: a stroke with this share of the heaviest stroke's ink is part of the writing; lighter pieces (a
// broken pen line) count when close to it or inside the digit's box; pieces lighter still are specks.
constexpr float kMajorShare = 0.15f;
constexpr float kFragmentShare = 0.02f;
constexpr float kClusterGap = 0.25f;      // how near a stroke must be, as a share of the digit's longer side
constexpr float kFragmentGap = 0.1f;      // how near a lighter piece must be to join
constexpr float kFragmentMargin = 0.05f;  // how far a lighter piece may stick out of the digit's box
// Paper edges (bands hugging a border along half of it) and ruled lines (flat, from a side border across most of
// the image and well past the writing).
constexpr float kBorderBand = 0.15f;
constexpr float kEdgeSpan = 0.5f;
// A desk or paper edge merged with other ink: it covers this share of a side at least this long (share of the
// image's longer side), and its band along the side holds this share of its ink.
constexpr float kEdgeContact = 0.8f;
constexpr float kEdgeSideShare = 0.5f;
constexpr float kEdgeBandShare = 0.6f;
// Ruled rows: ink in both end zones (this share of the width) covering this share of the row, at most this many
// rows or this share of the stroke width thick.
constexpr float kRuledRowEnds = 0.03f;
constexpr float kLineLevel = 0.2f;  // ruled lines are often fainter than the writing: half the stroke level
constexpr float kRuledRowCover = 0.7f;
constexpr int kMinLineRows = 2;
constexpr float kLineStrokeShare = 0.75f;
constexpr float kLineThickness = 0.1f;
constexpr float kRuledLineSpan = 0.6f;
constexpr float kRuledLineOverhang = 0.2f;
// A digit smaller than this share of the image's longer side (and 3 pixels) is a speck on blank paper.
constexpr float kMinDigitShare = 0.04f;
constexpr int kMinDigitPixels = 3;
// Multi-digit mode: strokes overlapping horizontally by this share of the narrower are one digit; digits lower
// than this share of the tallest are punctuation or dirt.
constexpr float kMergeOverlap = 0.3f;
constexpr float kMinRowHeightShare = 0.3f;

// Rendering: the digit is drawn 4x larger than its 20-pixel box, thickened there if needed, then area-averaged.
constexpr int kRenderScale = 4;
constexpr int kRenderSide = kDigitBoxSide * kRenderScale;
constexpr float kInputCentre = kInputSide / 2.0f;  // MNIST's centre of mass, in pixel-index coordinates

// A rectangle of the input, in input pixels.
struct Region {
  int x = 0, y = 0, width = 0, height = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Resampling

// Area average of `region` of `in`, shrunk by an integer factor (the last row and column of boxes may be cut);
// every later step works on such a copy.
GrayImage downscale_region(const GrayImage& in, const Region& region, int factor) {
  const int ow = (region.width + factor - 1) / factor;
  const int oh = (region.height + factor - 1) / factor;
  const int row_step = std::max(1, factor / kMaxRowsPerBox);
  GrayImage out(ow, oh);
  std::vector<float> column_sums(static_cast<size_t>(region.width));
  for (int oy = 0; oy < oh; ++oy) {
    const int y0 = region.y + oy * factor;
    const int y1 = std::min(region.y + region.height, y0 + factor);
    std::fill(column_sums.begin(), column_sums.end(), 0.0f);
    int rows = 0;
    for (int y = y0 + std::min(row_step, y1 - y0) / 2; y < y1; y += row_step, ++rows) {
      const float* src = in.data() + static_cast<size_t>(y) * in.width() + region.x;
      // Values outside [0, 1] (and NaN) are clamped, so nothing later sees them.
      for (int x = 0; x < region.width; ++x) column_sums[x] += src[x] > 0.0f ? (src[x] < 1.0f ? src[x] : 1.0f) : 0.0f;
    }
    float* dst = out.data() + static_cast<size_t>(oy) * ow;
    for (int ox = 0; ox < ow; ++ox) {
      const int x0 = ox * factor;
      const int x1 = std::min(region.width, x0 + factor);
      float sum = 0.0f;
      for (int x = x0; x < x1; ++x) sum += column_sums[x];
      dst[ox] = sum / static_cast<float>((x1 - x0) * rows);
    }
  }
  return out;
}

GrayImage downscale_by(const GrayImage& in, int factor) {
  if (factor <= 1) return in;
  return downscale_region(in, {0, 0, in.width(), in.height()}, factor);
}

// One-dimensional resampling weights: output i = sum over k < count[i] of weight[i * stride + k] * in[start[i] + k].
struct Taps {
  std::vector<int> start;
  std::vector<int> count;
  std::vector<float> weight;
  int stride = 0;
};

// Area averaging when shrinking (each output pixel is the mean of the input it covers), linear interpolation
// between pixel centres when enlarging.
Taps make_taps(int in_size, int out_size) {
  Taps taps;
  taps.start.resize(out_size);
  taps.count.resize(out_size);
  const double ratio = static_cast<double>(in_size) / out_size;
  if (out_size <= in_size) {
    taps.stride = static_cast<int>(std::ceil(ratio)) + 1;
    taps.weight.assign(static_cast<size_t>(out_size) * taps.stride, 0.0f);
    for (int i = 0; i < out_size; ++i) {
      const double a = i * ratio;
      const double b = (i + 1) * ratio;
      const int first = std::min(in_size - 1, static_cast<int>(std::floor(a)));
      const int last = std::max(first, std::min(in_size - 1, static_cast<int>(std::ceil(b)) - 1));
      taps.start[i] = first;
      taps.count[i] = last - first + 1;
      for (int j = first; j <= last; ++j) {
        const double overlap = std::max(0.0, std::min<double>(b, j + 1) - std::max<double>(a, j));
        taps.weight[static_cast<size_t>(i) * taps.stride + (j - first)] = static_cast<float>(overlap / ratio);
      }
    }
  } else {
    taps.stride = 2;
    taps.weight.assign(static_cast<size_t>(out_size) * 2, 0.0f);
    for (int i = 0; i < out_size; ++i) {
      const double p = std::clamp((i + 0.5) * ratio - 0.5, 0.0, static_cast<double>(in_size - 1));
      const int first = std::min(static_cast<int>(p), in_size - 1);
      const float frac = static_cast<float>(p - first);
      taps.start[i] = first;
      taps.count[i] = first + 1 < in_size ? 2 : 1;
      taps.weight[static_cast<size_t>(i) * 2] = taps.count[i] == 2 ? 1.0f - frac : 1.0f;
      if (taps.count[i] == 2) taps.weight[static_cast<size_t>(i) * 2 + 1] = frac;
    }
  }
  return taps;
}

GrayImage resample(const GrayImage& in, int out_width, int out_height) {
  const Taps tx = make_taps(in.width(), out_width);
  const Taps ty = make_taps(in.height(), out_height);
  GrayImage rows(out_width, in.height());
  for (int y = 0; y < in.height(); ++y) {
    const float* src = in.data() + static_cast<size_t>(y) * in.width();
    float* dst = rows.data() + static_cast<size_t>(y) * out_width;
    for (int x = 0; x < out_width; ++x) {
      const float* w = &tx.weight[static_cast<size_t>(x) * tx.stride];
      float sum = 0.0f;
      for (int k = 0; k < tx.count[x]; ++k) sum += w[k] * src[tx.start[x] + k];
      dst[x] = sum;
    }
  }
  GrayImage out(out_width, out_height);
  for (int y = 0; y < out_height; ++y) {
    float* dst = out.data() + static_cast<size_t>(y) * out_width;
    const float* w = &ty.weight[static_cast<size_t>(y) * ty.stride];
    for (int k = 0; k < ty.count[y]; ++k) {
      const float* src = rows.data() + static_cast<size_t>(ty.start[y] + k) * out_width;
      for (int x = 0; x < out_width; ++x) dst[x] += w[k] * src[x];
    }
  }
  return out;
}

// Scales `image` so that its longer side is `side` pixels, keeping the aspect ratio.
GrayImage fit_longer_side(const GrayImage& image, int side) {
  const int longer = std::max(image.width(), image.height());
  const auto scaled = [&](int length) {
    return std::max(1, static_cast<int>(std::lround(static_cast<double>(length) * side / longer)));
  };
  return resample(image, scaled(image.width()), scaled(image.height()));
}

// ---------------------------------------------------------------------------------------------------------------
// Filters

// Running minimum or maximum over a window of 2r+1 samples (van Herk / Gil-Werman: three comparisons per
// sample whatever the radius); the window is cut at the ends.
void rank_filter_line(const float* in, float* out, int n, int stride, int r, bool take_max, std::vector<float>& buf) {
  const float neutral = take_max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  const auto pick = [take_max](float a, float b) { return take_max ? std::max(a, b) : std::min(a, b); };
  const int window = 2 * r + 1;
  const int padded = n + 2 * r;
  buf.resize(static_cast<size_t>(padded) * 3);
  float* f = buf.data();
  float* g = f + padded;  // running value from each block's start
  float* h = g + padded;  // running value to each block's end
  for (int i = 0; i < padded; ++i) {
    const int src = i - r;
    f[i] = src >= 0 && src < n ? in[static_cast<size_t>(src) * stride] : neutral;
  }
  for (int start = 0; start < padded; start += window) {
    const int end = std::min(padded, start + window);
    g[start] = f[start];
    for (int i = start + 1; i < end; ++i) g[i] = pick(g[i - 1], f[i]);
    h[end - 1] = f[end - 1];
    for (int i = end - 2; i >= start; --i) h[i] = pick(h[i + 1], f[i]);
  }
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i) * stride] = pick(h[i], g[i + 2 * r]);
}

// Minimum or maximum over a (2r+1)-pixel square, separable.
GrayImage rank_filter(const GrayImage& in, int radius, bool take_max) {
  const int w = in.width();
  const int h = in.height();
  GrayImage rows(w, h);
  GrayImage out(w, h);
  std::vector<float> buf;
  for (int y = 0; y < h; ++y) {
    const size_t offset = static_cast<size_t>(y) * w;
    rank_filter_line(in.data() + offset, rows.data() + offset, w, 1, radius, take_max, buf);
  }
  for (int x = 0; x < w; ++x) rank_filter_line(rows.data() + x, out.data() + x, h, w, radius, take_max, buf);
  return out;
}

// Mean over a (2r+1)-pixel square, cut at the border, separable with running sums.
GrayImage box_blur(const GrayImage& in, int radius) {
  const int w = in.width();
  const int h = in.height();
  const auto blur_line = [radius](const float* src, float* dst, int n, int stride) {
    double sum = 0.0;
    int count = 0;
    for (int i = 0; i < std::min(radius, n); ++i, ++count) sum += src[static_cast<size_t>(i) * stride];
    for (int i = 0; i < n; ++i) {
      const int enter = i + radius;
      const int leave = i - radius - 1;
      if (enter < n) {
        sum += src[static_cast<size_t>(enter) * stride];
        ++count;
      }
      if (leave >= 0) {
        sum -= src[static_cast<size_t>(leave) * stride];
        --count;
      }
      dst[static_cast<size_t>(i) * stride] = static_cast<float>(sum / count);
    }
  };
  GrayImage rows(w, h);
  GrayImage out(w, h);
  for (int y = 0; y < h; ++y) {
    blur_line(in.data() + static_cast<size_t>(y) * w, rows.data() + static_cast<size_t>(y) * w, w, 1);
  }
  for (int x = 0; x < w; ++x) blur_line(rows.data() + x, out.data() + x, h, w);
  return out;
}

// Grey dilation with a disk: every stroke grows by `radius` pixels on each side, soft edges stay soft. The disk is
// a stack of horizontal runs; each run length is one running-maximum pass over the rows.
GrayImage dilate_disk(const GrayImage& in, int radius) {
  const int w = in.width();
  const int h = in.height();
  std::vector<GrayImage> by_half(static_cast<size_t>(radius) + 1);
  std::vector<float> buf;
  GrayImage out(w, h);
  for (int dy = -radius; dy <= radius; ++dy) {
    const int half = static_cast<int>(std::floor(std::sqrt(double(radius) * radius - double(dy) * dy) + 1e-6));
    GrayImage& rows = by_half[half];
    if (rows.empty()) {
      rows = GrayImage(w, h);
      for (int y = 0; y < h; ++y) {
        const size_t offset = static_cast<size_t>(y) * w;
        rank_filter_line(in.data() + offset, rows.data() + offset, w, 1, half, true, buf);
      }
    }
    for (int y = std::max(0, -dy); y < std::min(h, h - dy); ++y) {
      const float* src = rows.data() + static_cast<size_t>(y + dy) * w;
      float* dst = out.data() + static_cast<size_t>(y) * w;
      for (int x = 0; x < w; ++x) dst[x] = std::max(dst[x], src[x]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics

// Histogram of values in [0, 1].
class Histogram {
 public:
  static constexpr int kBins = 1024;

  void add(float v) {
    const int bin = std::clamp(static_cast<int>(v * (kBins - 1) + 0.5f), 0, kBins - 1);
    ++count_[bin];
  }
  double count(int bin) const { return count_[bin]; }
  static float value(int bin) { return static_cast<float>(bin) / (kBins - 1); }

 private:
  std::array<uint32_t, kBins> count_{};
};

// Otsu's split of a histogram into a low and a high class.
struct Split {
  float threshold = 0.0f;  // the high class starts here
  float low_mean = 0.0f;
  float low_sigma = 0.0f;
  float high_median = 0.0f;
  float high_share = 0.0f;
};

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

// ---------------------------------------------------------------------------------------------------------------
// Polarity and lighting

// The working image's small copy (for lighting), shared by the tone split and the background estimate.
struct SmallCopy {
  GrayImage image;
  int factor = 1;
};

SmallCopy small_copy(const GrayImage& work) {
  SmallCopy small;
  small.factor = std::max(1, (std::max(work.width(), work.height()) + kBackgroundSide - 1) / kBackgroundSide);
  small.image = downscale_by(work, small.factor);
  return small;
}

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

// The image's two tones after its local mean is taken out (so shading does not decide the split): which one is
// ink, and how wide its strokes are.
struct Tones {
  bool dark_ink = true;
  float stroke_width = 0.0f;  // of the ink tone, in working pixels
};

// Ink is the tone that is thinner (strokes, not broad areas) and, less strongly, the rarer one.
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
                       kAreaWeight * std::log(light_share / (1.0 - light_share)) +
                       kBorderWeight * border;
  Tones tones;
  tones.dark_ink = score > 0.0;
  const double ink_pixels = tones.dark_ink ? t.dark_pixels : t.light_pixels;
  tones.stroke_width =
      t.boundary_edges > 0.0 ? static_cast<float>(2.0 * ink_pixels / (t.boundary_edges * kPi / 4.0)) : 0.0f;
  return tones;
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

// How bright ink is above the paper: the paper's noise floor, a typical stroke core, and their contrast.
struct InkLevels {
  float floor = 0.0f;
  float level = 1.0f;
  float contrast = 0.0f;
};

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

// ---------------------------------------------------------------------------------------------------------------
// Strokes

struct Component {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // inclusive bounds, working pixels
  int area = 0;
  double mass = 0.0;  // summed normalised ink
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
  int longer() const { return std::max(width(), height()); }
};

// 8-connected components of the pixels with ink >= kMaskLevel; `labels` gets each pixel's component or -1.
std::vector<Component> label_components(const GrayImage& ink, std::vector<int>& labels) {
  const int w = ink.width();
  const int h = ink.height();
  labels.assign(ink.size(), -1);
  std::vector<Component> components;
  std::vector<int> stack;
  for (size_t seed = 0; seed < ink.size(); ++seed) {
    if (labels[seed] >= 0 || ink.data()[seed] < kMaskLevel) continue;
    const int id = static_cast<int>(components.size());
    Component c;
    c.x0 = c.x1 = static_cast<int>(seed % w);
    c.y0 = c.y1 = static_cast<int>(seed / w);
    labels[seed] = id;
    stack.assign(1, static_cast<int>(seed));
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int x = p % w;
      const int y = p / w;
      c.area += 1;
      c.mass += ink.data()[p];
      c.x0 = std::min(c.x0, x);
      c.x1 = std::max(c.x1, x);
      c.y0 = std::min(c.y0, y);
      c.y1 = std::max(c.y1, y);
      for (int ny = std::max(0, y - 1); ny <= std::min(h - 1, y + 1); ++ny) {
        for (int nx = std::max(0, x - 1); nx <= std::min(w - 1, x + 1); ++nx) {
          const int q = ny * w + nx;
          if (labels[q] >= 0 || ink.data()[q] < kMaskLevel) continue;
          labels[q] = id;
          stack.push_back(q);
        }
      }
    }
    components.push_back(c);
  }
  return components;
}

bool is_paper_edge(const Component& c, int w, int h) {
  const bool spans_width = c.width() >= kEdgeSpan * w;
  const bool spans_height = c.height() >= kEdgeSpan * h;
  const bool flat = c.height() <= kBorderBand * h;
  const bool narrow = c.width() <= kBorderBand * w;
  const bool along_top = c.y0 == 0 && c.y1 < kBorderBand * h;
  const bool along_bottom = c.y1 == h - 1 && c.y0 > (1.0f - kBorderBand) * h;
  const bool along_left = c.x0 == 0 && c.x1 < kBorderBand * w;
  const bool along_right = c.x1 == w - 1 && c.x0 > (1.0f - kBorderBand) * w;
  return ((along_top || along_bottom) && spans_width && flat) ||
         ((along_left || along_right) && spans_height && narrow);
}

// `writing_x0`..`writing_x1` is the horizontal extent of the other writing (empty when x1 < x0); the top bar of
// a 5 or a 7 does not reach well past it, a ruled line does.
bool is_ruled_line(const Component& c, int w, int h, int writing_x0, int writing_x1) {
  const bool from_side = c.x0 == 0 || c.x1 == w - 1;
  const bool flat = c.height() <= kLineThickness * h;
  if (!from_side || !flat || c.width() < kRuledLineSpan * w) return false;
  if (writing_x1 < writing_x0) return true;
  const int beyond = std::max(0, writing_x0 - c.x0) + std::max(0, c.x1 - writing_x1);
  return beyond >= kRuledLineOverhang * (writing_x1 - writing_x0 + 1);
}

// Paper edges and a desk seen around the sheet: a component covering most of a long side of the image along the
// border. Its bands along such sides (each as deep as its median run in from the border, plus a margin for the
// blurred lighting estimate) are erased from `residue` when they hold most of the component's ink, so a digit
// touching the edge survives and the top bar of a 7 in a tight crop (a small part of the 7) stays. Returns
// whether anything was erased.
bool erase_paper_edges(const GrayImage& ink, const std::vector<int>& labels,
                       const std::vector<Component>& components, int blur, std::vector<float>& residue) {
  const int w = ink.width();
  const int h = ink.height();
  // Pixel at position `along` side `side` (top, bottom, left, right), `in` pixels in from it.
  const auto index = [&](int side, int along, int in) -> size_t {
    switch (side) {
      case 0: return static_cast<size_t>(in) * w + along;
      case 1: return static_cast<size_t>(h - 1 - in) * w + along;
      case 2: return static_cast<size_t>(along) * w + in;
      default: return static_cast<size_t>(along) * w + (w - 1 - in);
    }
  };
  std::vector<std::array<int, 4>> bands(components.size(), {0, 0, 0, 0});  // band depth per side, 0 for none
  bool any = false;
  for (int side = 0; side < 4; ++side) {
    const int length = side < 2 ? w : h;
    const int depth_limit = side < 2 ? h : w;
    if (length < kEdgeSideShare * std::max(w, h)) continue;
    std::vector<int> contact(components.size(), 0);
    for (int along = 0; along < length; ++along) {
      const int label = labels[index(side, along, 0)];
      if (label >= 0) ++contact[label];
    }
    for (size_t c = 0; c < components.size(); ++c) {
      if (contact[c] < kEdgeContact * length) continue;
      std::vector<int> depths;
      for (int along = 0; along < length; ++along) {
        int depth = 0;
        while (depth < depth_limit && labels[index(side, along, depth)] == static_cast<int>(c)) ++depth;
        if (depth > 0) depths.push_back(depth);
      }
      std::nth_element(depths.begin(), depths.begin() + depths.size() / 2, depths.end());
      const int median = depths[depths.size() / 2];
      bands[c][side] = std::min(depth_limit, median + 1 + median / 4 + blur);
      any = true;
    }
  }
  if (!any) return false;
  bool erased = false;
  std::vector<uint8_t> in_band(ink.size());
  for (size_t c = 0; c < components.size(); ++c) {
    if (bands[c] == std::array<int, 4>{0, 0, 0, 0}) continue;
    std::fill(in_band.begin(), in_band.end(), 0);
    for (int side = 0; side < 4; ++side) {
      const int length = side < 2 ? w : h;
      for (int along = 0; along < length; ++along) {
        for (int in = 0; in < bands[c][side]; ++in) in_band[index(side, along, in)] = 1;
      }
    }
    double band_mass = 0.0;
    for (size_t i = 0; i < in_band.size(); ++i) {
      if (in_band[i] && labels[i] == static_cast<int>(c)) band_mass += ink.data()[i];
    }
    if (band_mass < kEdgeBandShare * components[c].mass) continue;
    for (size_t i = 0; i < in_band.size(); ++i) {
      if (in_band[i]) residue[i] = 0.0f;
    }
    erased = true;
  }
  return erased;
}

// Ruled lines crossing the writing: runs of rows whose ink (even faint) spans the image from border to border and
// covers most of it, thinner than the other strokes. They are erased from `residue`; where a stroke crosses them (ink right
// above and below), the gap is bridged with the fainter of the two. Returns whether anything was erased.
bool erase_ruled_rows(const GrayImage& ink, std::vector<float>& residue) {
  const int w = ink.width();
  const int h = ink.height();
  const int end_zone = std::max(1, static_cast<int>(kRuledRowEnds * w));
  std::vector<uint8_t> ruled(static_cast<size_t>(h), 0);
  bool any = false;
  for (int y = 0; y < h; ++y) {
    const float* row = ink.data() + static_cast<size_t>(y) * w;
    int count = 0;
    bool left = false, right = false;
    for (int x = 0; x < w; ++x) {
      if (row[x] < kLineLevel) continue;
      ++count;
      left = left || x < end_zone;
      right = right || x >= w - end_zone;
    }
    ruled[y] = left && right && count >= kRuledRowCover * w;
    any = any || ruled[y];
  }
  if (!any) return false;
  // Stroke width of the other rows' ink, to tell thin lines from the bar of a 7.
  GrayImage others = ink;
  for (int y = 0; y < h; ++y) {
    if (ruled[y]) std::fill_n(others.data() + static_cast<size_t>(y) * w, w, 0.0f);
  }
  const float stroke = stroke_width(others, kMaskLevel);
  bool erased = false;
  for (int y0 = 0; y0 < h;) {
    if (!ruled[y0]) {
      ++y0;
      continue;
    }
    int y1 = y0;
    while (y1 + 1 < h && ruled[y1 + 1]) ++y1;
    const int thickness = y1 - y0 + 1;
    if (thickness <= std::max<float>(kMinLineRows, kLineStrokeShare * stroke)) {
      const int top = std::max(0, y0 - 1);  // the line's soft edges go too
      const int bottom = std::min(h - 1, y1 + 1);
      for (int x = 0; x < w; ++x) {
        const bool crossed = top > 0 && bottom < h - 1 && ink.at(x, top - 1) >= kMaskLevel &&
                             ink.at(x, bottom + 1) >= kMaskLevel;
        const float bridge = crossed ? std::min(residue[static_cast<size_t>(top - 1) * w + x],
                                                residue[static_cast<size_t>(bottom + 1) * w + x])
                                     : 0.0f;
        for (int y = top; y <= bottom; ++y) residue[static_cast<size_t>(y) * w + x] = bridge;
      }
      erased = true;
    }
    y0 = y1 + 1;
  }
  return erased;
}

// The components that may be writing: not paper edges or ruled lines (unless nothing else is left), and not
// specks far lighter than the heaviest stroke.
std::vector<int> writing_candidates(const std::vector<Component>& components, int w, int h) {
  std::vector<int> kept;
  for (size_t i = 0; i < components.size(); ++i) {
    if (!is_paper_edge(components[i], w, h)) kept.push_back(static_cast<int>(i));
  }
  double heaviest = 0.0;
  for (int i : kept) heaviest = std::max(heaviest, components[i].mass);
  std::vector<int> unruled;
  for (int i : kept) {
    int x0 = w, x1 = -1;
    for (int j : kept) {
      if (j == i || components[j].mass < kMajorShare * heaviest) continue;
      x0 = std::min(x0, components[j].x0);
      x1 = std::max(x1, components[j].x1);
    }
    if (!is_ruled_line(components[i], w, h, x0, x1)) unruled.push_back(i);
  }
  if (unruled.empty()) {
    unruled.resize(components.size());
    std::iota(unruled.begin(), unruled.end(), 0);
  }
  heaviest = 0.0;
  for (int i : unruled) heaviest = std::max(heaviest, components[i].mass);
  std::vector<int> candidates;
  for (int i : unruled) {
    if (components[i].mass >= kFragmentShare * heaviest) candidates.push_back(i);
  }
  return candidates;
}

// One look at (a region of) the input: its working image, which way the ink is, the normalised ink and strokes.
struct InkAnalysis {
  Region region;           // the part of the input looked at
  int factor = 1;          // input pixels per working pixel
  GrayImage work;          // that region at working resolution
  bool dark_ink = true;
  GrayImage ink;           // normalised ink, white on black; empty when there is too little contrast
  std::vector<int> labels;  // component per working pixel, -1 for none
  std::vector<Component> components;
  std::vector<int> candidates;  // components that may be writing
};

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

// ---------------------------------------------------------------------------------------------------------------
// Choosing the digit's strokes

bool boxes_near(const Component& a, const Component& b, int gap) {
  return a.x0 - gap <= b.x1 && b.x0 - gap <= a.x1 && a.y0 - gap <= b.y1 && b.y0 - gap <= a.y1;
}

Component merge_boxes(const Component& a, const Component& b) {
  Component m = a;
  m.x0 = std::min(a.x0, b.x0);
  m.y0 = std::min(a.y0, b.y0);
  m.x1 = std::max(a.x1, b.x1);
  m.y1 = std::max(a.y1, b.y1);
  m.area = a.area + b.area;
  m.mass = a.mass + b.mass;
  return m;
}

// Adds to `chosen` the lighter pieces (a broken pen line) lying within the box of the chosen strokes.
void add_fragments(const InkAnalysis& a, std::vector<int>& chosen) {
  if (chosen.empty()) return;
  Component box = a.components[chosen.front()];
  for (int i : chosen) box = merge_boxes(box, a.components[i]);
  const int margin = static_cast<int>(kFragmentMargin * box.longer());
  for (int i : a.candidates) {
    const Component& c = a.components[i];
    const bool inside = c.x0 >= box.x0 - margin && c.x1 <= box.x1 + margin && c.y0 >= box.y0 - margin &&
                        c.y1 <= box.y1 + margin;
    if (inside && std::find(chosen.begin(), chosen.end(), i) == chosen.end()) chosen.push_back(i);
  }
}

// The digit of single-digit mode: the heaviest stroke, grown by every stroke of real weight within a quarter of
// the digit's size of it and every lighter piece (a broken pen line) within a tenth, then by the lighter pieces
// within its box.
std::vector<int> select_digit(const InkAnalysis& a) {
  std::vector<int> chosen;
  if (a.candidates.empty()) return chosen;
  int heaviest = a.candidates.front();
  for (int i : a.candidates) {
    if (a.components[i].mass > a.components[heaviest].mass) heaviest = i;
  }
  const double major = kMajorShare * a.components[heaviest].mass;
  chosen.push_back(heaviest);
  Component box = a.components[heaviest];
  for (bool grew = true; grew;) {
    grew = false;
    const int gap = static_cast<int>(kClusterGap * box.longer());
    const int fragment_gap = static_cast<int>(kFragmentGap * box.longer()) + 1;
    for (int i : a.candidates) {
      const bool joins = a.components[i].mass >= major ? boxes_near(box, a.components[i], gap)
                                                       : boxes_near(box, a.components[i], fragment_gap);
      if (!joins || std::find(chosen.begin(), chosen.end(), i) != chosen.end()) continue;
      chosen.push_back(i);
      box = merge_boxes(box, a.components[i]);
      grew = true;
    }
  }
  add_fragments(a, chosen);
  return chosen;
}

// The strokes of a finer second look whose centres lie in `target` (working pixels of that look).
std::vector<int> select_in_box(const InkAnalysis& a, const Component& target) {
  std::vector<int> chosen;
  for (int i : a.candidates) {
    const Component& c = a.components[i];
    const int cx = (c.x0 + c.x1) / 2;
    const int cy = (c.y0 + c.y1) / 2;
    if (cx >= target.x0 && cx <= target.x1 && cy >= target.y0 && cy <= target.y1) chosen.push_back(i);
  }
  add_fragments(a, chosen);
  return chosen;
}

// Groups the strokes of multi-digit mode into digits: strokes of real weight overlapping horizontally are one
// digit, lighter pieces join the digit they overlap, groups much lower than the tallest are dropped; the digits
// come out left to right.
std::vector<std::vector<int>> group_digits(const InkAnalysis& a) {
  double heaviest = 0.0;
  for (int i : a.candidates) heaviest = std::max(heaviest, a.components[i].mass);
  std::vector<int> order = a.candidates;
  std::sort(order.begin(), order.end(), [&](int l, int r) {
    return a.components[l].mass > a.components[r].mass;  // heavy strokes found the groups
  });
  std::vector<std::vector<int>> groups;
  std::vector<Component> boxes;
  for (int i : order) {
    const Component& c = a.components[i];
    int best = -1;
    double best_overlap = 0.0;
    for (size_t g = 0; g < boxes.size(); ++g) {
      const int overlap = std::min(c.x1, boxes[g].x1) - std::max(c.x0, boxes[g].x0) + 1;
      const double share = double(overlap) / std::min(c.width(), boxes[g].width());
      if (share >= kMergeOverlap && share > best_overlap) {
        best = static_cast<int>(g);
        best_overlap = share;
      }
    }
    if (best >= 0) {
      groups[best].push_back(i);
      boxes[best] = merge_boxes(boxes[best], c);
    } else if (c.mass >= kMajorShare * heaviest) {
      groups.push_back({i});
      boxes.push_back(c);
    }
  }
  int tallest = 0;
  for (const Component& b : boxes) tallest = std::max(tallest, b.height());
  std::vector<std::pair<int, std::vector<int>>> digits;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (boxes[g].height() >= kMinRowHeightShare * tallest) digits.emplace_back(boxes[g].x0, groups[g]);
  }
  std::sort(digits.begin(), digits.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
  std::vector<std::vector<int>> ordered;
  for (auto& d : digits) ordered.push_back(std::move(d.second));
  return ordered;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

// The chosen strokes' ink with the soft fringe around them (ink within one pixel), cut to its bounding box.
struct Crop {
  GrayImage ink;
  Component box;  // working pixels
};

Crop crop_digit(const InkAnalysis& a, const std::vector<int>& chosen) {
  Crop crop;
  if (chosen.empty()) return crop;
  const int w = a.work.width();
  const int h = a.work.height();
  std::vector<uint8_t> is_chosen(a.components.size(), 0);
  Component bounds = a.components[chosen.front()];
  for (int i : chosen) {
    is_chosen[i] = 1;
    bounds = merge_boxes(bounds, a.components[i]);
  }
  // The chosen strokes' pixels in their box grown by one, then grown by one more pixel: the gate.
  const int gx0 = std::max(0, bounds.x0 - 1), gy0 = std::max(0, bounds.y0 - 1);
  const int gx1 = std::min(w - 1, bounds.x1 + 1), gy1 = std::min(h - 1, bounds.y1 + 1);
  GrayImage chosen_pixels(gx1 - gx0 + 1, gy1 - gy0 + 1);
  for (int y = gy0; y <= gy1; ++y) {
    for (int x = gx0; x <= gx1; ++x) {
      const int label = a.labels[static_cast<size_t>(y) * w + x];
      if (label >= 0 && is_chosen[label]) chosen_pixels.at(x - gx0, y - gy0) = 1.0f;
    }
  }
  GrayImage gated = rank_filter(chosen_pixels, 1, true);
  int x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int y = gy0; y <= gy1; ++y) {
    for (int x = gx0; x <= gx1; ++x) {
      float& v = gated.at(x - gx0, y - gy0);
      v *= a.ink.at(x, y);
      if (v <= 0.0f) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return crop;
  crop.box.x0 = x0;
  crop.box.y0 = y0;
  crop.box.x1 = x1;
  crop.box.y1 = y1;
  crop.ink = GrayImage(x1 - x0 + 1, y1 - y0 + 1);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) crop.ink.at(x - x0, y - y0) = gated.at(x - gx0, y - gy0);
  }
  return crop;
}

// Cuts `image` to the bounding box of its non-zero pixels.
GrayImage trim(const GrayImage& image) {
  int x0 = image.width(), y0 = image.height(), x1 = -1, y1 = -1;
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      if (image.at(x, y) <= 0.0f) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return image;
  GrayImage out(x1 - x0 + 1, y1 - y0 + 1);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) out.at(x - x0, y - y0) = image.at(x, y);
  }
  return out;
}

// Thickens strokes thinner than `target` (pixels at the 20-pixel scale) on the 4x rendering; the dilation also
// enlarges the digit, so the radius is chosen for the width once the digit is scaled back to 20 pixels.
GrayImage thicken_strokes(const GrayImage& rendered, float target) {
  const float width = stroke_width(rendered, 0.5f);
  const float wanted = target * kRenderScale;
  if (target <= 0.0f || width <= 0.0f || width >= wanted) return rendered;
  const float longer = static_cast<float>(std::max(rendered.width(), rendered.height()));
  // Solve (width + 2r) * kRenderSide / (longer + 2r) = wanted for r.
  const float radius = (wanted * longer / kRenderSide - width) / (2.0f * (1.0f - wanted / kRenderSide));
  const int r = static_cast<int>(std::lround(std::min(radius, static_cast<float>(kRenderSide))));
  if (r < 1) return rendered;
  GrayImage padded(rendered.width() + 2 * r, rendered.height() + 2 * r);
  for (int y = 0; y < rendered.height(); ++y) {
    for (int x = 0; x < rendered.width(); ++x) padded.at(x + r, y + r) = rendered.at(x, y);
  }
  return trim(dilate_disk(padded, r));
}

// Places the 20-pixel digit in the 28x28 input, shifted by whole pixels (like MNIST) so that its centre of mass
// lands on pixel (14, 14); the brightest pixel is scaled to 1.
GrayImage centre_by_mass(const GrayImage& digit) {
  double mass = 0.0, mx = 0.0, my = 0.0;
  float peak = 0.0f;
  for (int y = 0; y < digit.height(); ++y) {
    for (int x = 0; x < digit.width(); ++x) {
      const float v = digit.at(x, y);
      mass += v;
      mx += double(v) * x;
      my += double(v) * y;
      peak = std::max(peak, v);
    }
  }
  GrayImage out(kInputSide, kInputSide);
  if (mass <= 0.0) return out;
  const int dx = static_cast<int>(std::lround(kInputCentre - mx / mass));
  const int dy = static_cast<int>(std::lround(kInputCentre - my / mass));
  const float gain = 1.0f / peak;
  for (int y = 0; y < digit.height(); ++y) {
    for (int x = 0; x < digit.width(); ++x) {
      const int tx = x + dx;
      const int ty = y + dy;
      if (tx < 0 || ty < 0 || tx >= kInputSide || ty >= kInputSide) continue;
      out.at(tx, ty) = std::min(1.0f, digit.at(x, y) * gain);
    }
  }
  return out;
}

GrayImage render_input(const GrayImage& cropped, const PreprocessOptions& options) {
  const GrayImage large = thicken_strokes(fit_longer_side(cropped, kRenderSide), options.min_stroke_width);
  return centre_by_mass(fit_longer_side(large, kDigitBoxSide));
}

DigitBox to_input_box(const InkAnalysis& a, const Component& box) {
  return {a.region.x + box.x0 * a.factor, a.region.y + box.y0 * a.factor,
          std::min(box.width() * a.factor, a.region.x + a.region.width - (a.region.x + box.x0 * a.factor)),
          std::min(box.height() * a.factor, a.region.y + a.region.height - (a.region.y + box.y0 * a.factor))};
}

// A digit that came out small from a downscaled input is cut again from the input's pixels around it, at a
// finer resolution, with the same polarity. Returns the better crop.
std::pair<Crop, const InkAnalysis*> refine(const GrayImage& image, const InkAnalysis& coarse, Crop crop,
                                           const PreprocessOptions& options, InkAnalysis& fine) {
  if (coarse.factor <= 1 || crop.box.longer() >= kRefineBelow) return {std::move(crop), &coarse};
  const DigitBox box = to_input_box(coarse, crop.box);
  const int margin = static_cast<int>(kRefineMargin * std::max(box.width, box.height)) + coarse.factor;
  Region region;
  region.x = std::max(0, box.x - margin);
  region.y = std::max(0, box.y - margin);
  region.width = std::min(image.width(), box.x + box.width + margin) - region.x;
  region.height = std::min(image.height(), box.y + box.height + margin) - region.y;
  fine = analyse_ink(image, region, options,
                     coarse.dark_ink ? InkPolarity::kDarkOnLight : InkPolarity::kLightOnDark);
  if (fine.ink.empty() || fine.factor >= coarse.factor) return {std::move(crop), &coarse};
  Component target;
  target.x0 = (box.x - region.x) / fine.factor;
  target.y0 = (box.y - region.y) / fine.factor;
  target.x1 = (box.x - region.x + box.width - 1) / fine.factor;
  target.y1 = (box.y - region.y + box.height - 1) / fine.factor;
  Crop fine_crop = crop_digit(fine, select_in_box(fine, target));
  if (fine_crop.ink.empty()) return {std::move(crop), &coarse};
  return {std::move(fine_crop), &fine};
}

PreprocessResult not_found(const InkAnalysis& a, const char* reason) {
  PreprocessResult r;
  r.grayscale = a.work;
  r.ink_mask = GrayImage(a.work.width(), a.work.height());
  r.reason = reason;
  return r;
}

GrayImage chosen_mask(const InkAnalysis& a, const std::vector<int>& chosen) {
  GrayImage mask(a.work.width(), a.work.height());
  std::vector<uint8_t> is_chosen(a.components.size(), 0);
  for (int i : chosen) is_chosen[i] = 1;
  for (size_t p = 0; p < a.labels.size(); ++p) {
    if (a.labels[p] >= 0 && is_chosen[a.labels[p]]) mask.data()[p] = 1.0f;
  }
  return mask;
}

PreprocessResult render_digit(const GrayImage& image, const InkAnalysis& a, const std::vector<int>& chosen,
                              const PreprocessOptions& options) {
  Crop crop = crop_digit(a, chosen);
  const int longer = crop.box.longer();
  if (crop.ink.empty() || longer < kMinDigitPixels || longer < kMinDigitShare * std::max(a.work.width(), a.work.height())) {
    return not_found(a, "no digit found");
  }
  InkAnalysis fine;
  auto [best, source] = refine(image, a, std::move(crop), options, fine);
  PreprocessResult r;
  r.found = true;
  r.grayscale = a.work;
  r.ink_mask = chosen_mask(a, chosen);
  r.input28 = render_input(best.ink, options);
  r.box = to_input_box(*source, best.box);
  r.cropped = std::move(best.ink);
  return r;
}

}  // namespace

PreprocessResult preprocess(const GrayImage& image, const PreprocessOptions& options) {
  if (image.empty()) {
    PreprocessResult r;
    r.reason = "empty image";
    return r;
  }
  const InkAnalysis a = analyse_ink(image, whole(image), options, options.polarity);
  if (a.candidates.empty()) return not_found(a, "no digit found");
  return render_digit(image, a, select_digit(a), options);
}

std::vector<PreprocessResult> preprocess_multi(const GrayImage& image, const PreprocessOptions& options) {
  std::vector<PreprocessResult> results;
  if (image.empty()) return results;
  const InkAnalysis a = analyse_ink(image, whole(image), options, options.polarity);
  for (std::vector<int>& digit : group_digits(a)) {
    add_fragments(a, digit);
    PreprocessResult r = render_digit(image, a, digit, options);
    if (r.found) results.push_back(std::move(r));
  }
  return results;
}

std::vector<DigitBox> segment_digits(const GrayImage& image, const PreprocessOptions& options) {
  std::vector<DigitBox> boxes;
  for (const PreprocessResult& r : preprocess_multi(image, options)) boxes.push_back(r.box);
  return boxes;
}

}  // namespace digitlab
