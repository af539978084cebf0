#include "image/rendering.h"

#include "image/filters.h"
#include "image/resampling.h"
#include "image/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace digitlab::detail {

namespace {

// Rendering: the digit is drawn 4x larger than its 20-pixel box, thickened there if needed, then area-averaged.
constexpr int kRenderScale = 4;
constexpr int kRenderSide = kDigitBoxSide * kRenderScale;
constexpr float kInputCentre = kInputSide / 2.0f;  // MNIST's centre of mass, in pixel-index coordinates

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
// lands on pixel (14, 14); the brightest pixel is scaled to 1. The shift goes to *shift_x, *shift_y.
GrayImage centre_by_mass(const GrayImage& digit, int* shift_x, int* shift_y) {
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
  *shift_x = dx;
  *shift_y = dy;
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

}  // namespace

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
  return crop_gated(a, chosen_pixels, gx0, gy0);
}

Crop crop_gated(const InkAnalysis& a, const GrayImage& chosen_pixels, int gx0, int gy0) {
  Crop crop;
  const int gx1 = gx0 + chosen_pixels.width() - 1, gy1 = gy0 + chosen_pixels.height() - 1;
  GrayImage gated = rank_filter(chosen_pixels, 1, true);
  int x0 = a.work.width(), y0 = a.work.height(), x1 = -1, y1 = -1;
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

GrayImage render_input(const GrayImage& cropped, const PreprocessOptions& options, InputTransform* transform) {
  const GrayImage scaled = fit_longer_side(cropped, kRenderSide);
  const GrayImage large = thicken_strokes(scaled, options.min_stroke_width);
  const GrayImage digit = fit_longer_side(large, kDigitBoxSide);
  int dx = 0, dy = 0;
  GrayImage input = centre_by_mass(digit, &dx, &dy);
  if (transform) {
    // Input -> the thickened rendering (which grew by its dilation radius on each side) -> the crop.
    const auto axis = [](int shift, int digit_side, int large_side, int scaled_side, int crop_side, float* origin) {
      const float per_large = static_cast<float>(crop_side) / static_cast<float>(scaled_side);
      const float large_per_input = static_cast<float>(large_side) / static_cast<float>(digit_side);
      *origin = (-static_cast<float>(shift) * large_per_input - (large_side - scaled_side) / 2.0f) * per_large;
      return large_per_input * per_large;
    };
    transform->scale_x = axis(dx, digit.width(), large.width(), scaled.width(), cropped.width(), &transform->x0);
    transform->scale_y = axis(dy, digit.height(), large.height(), scaled.height(), cropped.height(), &transform->y0);
  }
  return input;
}

}  // namespace digitlab::detail
