#include "image/resampling.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace digitlab::detail {

namespace {

// Working resolution: reading a 12-megapixel photo is bound by memory bandwidth, so in each box being averaged
// at most this many rows, evenly spaced, are read once the box is 8 or more pixels tall (strokes are many pixels
// tall at that resolution).
constexpr int kMaxRowsPerBox = 4;

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

}  // namespace

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

}  // namespace digitlab::detail
