#pragma once
// Internal to digitlab_core: the random masks of DigitNet's dropout on the CPU.
//
// LibTorch 1.13's CPU dropout draws each mask element from a Bernoulli distribution on the shared
// Mersenne Twister, one double at a time on one thread: 5% of a training step. Here each element is
// a hash of (seed, index) (SplitMix64's mixer, a counter-based generator), so the work splits over
// threads and still depends only on the seed, which the caller draws from LibTorch's generator: --seed
// and --resume repeat exactly as before.

#include <cstdint>

namespace digitlab {

/// Fills mask[0..n) with 0 (probability p) or 1 / (1 - p), the inverted-dropout factors, from `seed`, on
/// `threads` threads. The same seed gives the same mask whatever the thread count. 0 <= p < 1.
void fill_dropout_mask(float* mask, int64_t n, uint64_t seed, double p, int threads);

}  // namespace digitlab
