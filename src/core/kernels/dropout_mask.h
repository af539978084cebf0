#pragma once
// Internal to digitlab_core: the random masks of DigitNet's dropout on the CPU.
//
// LibTorch 1.13's CPU dropout draws each mask element from a Bernoulli distribution on the shared
// Mersenne Twister, one double at a time on one thread: 5% of a training step. Here each element is
// a hash of (seed, index) (SplitMix64's mixer, a counter-based generator), so the work splits over
// threads and still depends only on the seed, which the caller draws from LibTorch's generator: --seed
// and --resume repeat exactly as before. A kernel can also compute an element where it needs it
// (pooling with dropout), and again in its backward, instead of keeping a mask.

#include <cmath>
#include <cstdint>

namespace digitlab {

/// The mask of one dropout: element i is 0 (probability p) or 1 / (1 - p), the inverted-dropout factor,
/// a function of (seed, i) alone.
class DropoutMask {
 public:
  /// 0 <= p < 1; p = 0 keeps everything.
  DropoutMask(uint64_t seed, double p)
      : seed_(seed), threshold_(static_cast<uint64_t>(std::ldexp(p, 32))), keep_(static_cast<float>(1.0 / (1.0 - p))) {}

  /// False when p = 0: every element is 1.
  bool drops() const { return threshold_ != 0; }

  float operator[](uint64_t index) const { return bits(index) < threshold_ ? 0.0f : keep_; }

  /// The top 32 bits of element index's hash (SplitMix64's output function of seed + index * the golden ratio):
  /// the element is dropped when they fall below threshold(). Plain arithmetic, so loops over it vectorize.
  uint64_t bits(uint64_t index) const {
    uint64_t z = seed_ + index * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (z ^ (z >> 31)) >> 32;
  }
  uint64_t threshold() const { return threshold_; }  ///< p * 2^32.
  float keep() const { return keep_; }                ///< 1 / (1 - p), the factor of a kept element (1 for p = 0).

 private:
  uint64_t seed_;
  uint64_t threshold_;
  float keep_;
};

/// Fills mask[0..n) with DropoutMask(seed, p)'s elements on `threads` threads. The same seed gives the same
/// mask whatever the thread count. 0 <= p < 1.
void fill_dropout_mask(float* mask, int64_t n, uint64_t seed, double p, int threads);

}  // namespace digitlab
