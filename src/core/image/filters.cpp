#include "image/filters.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace digitlab::detail {

namespace {

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

}  // namespace

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

}  // namespace digitlab::detail
