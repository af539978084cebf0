#include "image/joined_digits.h"

#include "image/rendering.h"

#include <digitlab/gray_image.h>
#include <digitlab/model_spec.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace digitlab::detail {

namespace {

// A pixel at least this bright (of 255) is ink when finding an image's columns.
constexpr uint8_t kInkLevel = 40;
// How often one of the two digits is a "1" (when the data has ones).
constexpr double kOneShare = 0.4;
// The second digit moves left onto the first by up to this share of the narrower digit's width...
constexpr double kMostOverlap = 1.0 / 3.0;
// ...or stops this many pixels short of touching it (strokes whose fringes meet).
constexpr int kWidestGap = 1;
// Up or down by up to this many pixels: an uneven baseline.
constexpr int kMostShift = 3;

// The columns of image `p` that hold ink: [first, last]; first > last when none do.
std::pair<int, int> ink_columns(const uint8_t* p) {
  int first = kInputSide, last = -1;
  for (int y = 0; y < kInputSide; ++y) {
    for (int x = 0; x < kInputSide; ++x) {
      if (p[y * kInputSide + x] < kInkLevel) continue;
      first = std::min(first, x);
      last = std::max(last, x);
    }
  }
  return {first, last};
}

}  // namespace

JoinedDigits::JoinedDigits(const uint8_t* pixels, const uint8_t* labels, size_t count, int one)
    : pixels_(pixels), count_(count) {
  for (size_t i = 0; i < count && one >= 0; ++i) {
    if (labels[i] == one) ones_.push_back(i);
  }
}

std::vector<uint8_t> JoinedDigits::make(size_t n, uint64_t seed) const {
  std::vector<uint8_t> out(n * kInputSide * kInputSide, 0);
  if (count_ == 0) return out;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> any(0, count_ - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> shift(-kMostShift, kMostShift);
  const PreprocessOptions options;
  for (size_t k = 0; k < n; ++k) {
    size_t a = any(rng), b = any(rng);
    if (!ones_.empty() && unit(rng) < kOneShare) {
      (unit(rng) < 0.5 ? a : b) = ones_[std::uniform_int_distribution<size_t>(0, ones_.size() - 1)(rng)];
    }
    const uint8_t* pa = pixels_ + a * kInputSide * kInputSide;
    const uint8_t* pb = pixels_ + b * kInputSide * kInputSide;
    const auto [a0, a1] = ink_columns(pa);
    const auto [b0, b1] = ink_columns(pb);
    if (a1 < a0 || b1 < b0) continue;  // a blank image: this pair stays black, as a blank input would
    const int narrower = std::min(a1 - a0 + 1, b1 - b0 + 1);
    const int most_overlap = static_cast<int>(std::lround(narrower * kMostOverlap));
    const int gap = std::uniform_int_distribution<int>(-most_overlap, kWidestGap)(rng);
    const int dy = shift(rng);
    // Digit a at x = 0..(a1 - a0), digit b from just after it plus the gap; both on a canvas with room to shift.
    const int b_left = (a1 - a0 + 1) + gap;
    GrayImage canvas(std::max(a1 - a0 + 1, b_left + (b1 - b0 + 1)), kInputSide + 2 * kMostShift);
    for (int y = 0; y < kInputSide; ++y) {
      for (int x = a0; x <= a1; ++x) canvas.at(x - a0, y + kMostShift) = pa[y * kInputSide + x] / 255.0f;
      for (int x = b0; x <= b1; ++x) {
        float& v = canvas.at(b_left + x - b0, y + kMostShift + dy);
        v = std::max(v, pb[y * kInputSide + x] / 255.0f);
      }
    }
    const GrayImage input = render_input(trim(canvas), options);
    uint8_t* o = out.data() + k * kInputSide * kInputSide;
    for (int y = 0; y < kInputSide; ++y) {
      for (int x = 0; x < kInputSide; ++x) {
        o[y * kInputSide + x] = static_cast<uint8_t>(std::lround(std::clamp(input.at(x, y), 0.0f, 1.0f) * 255.0f));
      }
    }
  }
  return out;
}

}  // namespace digitlab::detail
