#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

namespace digitlab::detail {

/// Histogram of values in [0, 1] (values outside are counted in the end bins); see otsu_split().
class Histogram {
 public:
  /// Number of bins; bin b holds the values nearest to value(b).
  static constexpr int kBins = 1024;

  /// Counts `v`. Inline: it runs once per pixel.
  void add(float v) {
    const int bin = std::clamp(static_cast<int>(v * (kBins - 1) + 0.5f), 0, kBins - 1);
    ++count_[bin];
  }
  /// How many values fell into `bin`.
  double count(int bin) const { return count_[bin]; }
  /// The value at the centre of `bin`.
  static float value(int bin) { return static_cast<float>(bin) / (kBins - 1); }

 private:
  std::array<uint32_t, kBins> count_{};
};

}  // namespace digitlab::detail
