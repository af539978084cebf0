#include "kernels/dropout_mask.h"

#include "kernels/parallel_parts.h"

#include <algorithm>

namespace digitlab {
namespace {

constexpr int64_t kElementsPerPart = 16384;

}  // namespace

void fill_dropout_mask(float* mask, int64_t n, uint64_t seed, double p, int threads) {
  const DropoutMask dropout(seed, p);
  const int64_t parts = (n + kElementsPerPart - 1) / kElementsPerPart;
  run_parts(parts, threads, [&](int64_t begin, int64_t end) {
    const int64_t last = std::min(n, end * kElementsPerPart);
    for (int64_t i = begin * kElementsPerPart; i < last; ++i) mask[i] = dropout[static_cast<uint64_t>(i)];
  });
}

}  // namespace digitlab
