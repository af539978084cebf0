#include "kernels/dropout_mask.h"

#include "kernels/parallel_parts.h"

#include <algorithm>
#include <cmath>

namespace digitlab {
namespace {

constexpr int64_t kElementsPerPart = 16384;

/// SplitMix64's output function of the counter seed + index * golden ratio.
inline uint64_t mix(uint64_t seed, uint64_t index) {
  uint64_t z = seed + index * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

void fill_dropout_mask(float* mask, int64_t n, uint64_t seed, double p, int threads) {
  const float keep = static_cast<float>(1.0 / (1.0 - p));
  // Dropped when the hash's top 32 bits fall below p * 2^32.
  const uint64_t threshold = static_cast<uint64_t>(std::ldexp(p, 32));
  const int64_t parts = (n + kElementsPerPart - 1) / kElementsPerPart;
  run_parts(parts, threads, [&](int64_t begin, int64_t end) {
    const int64_t last = std::min(n, end * kElementsPerPart);
    for (int64_t i = begin * kElementsPerPart; i < last; ++i) {
      mask[i] = (mix(seed, static_cast<uint64_t>(i)) >> 32) < threshold ? 0.0f : keep;
    }
  });
}

}  // namespace digitlab
