#pragma once
// Internal to digitlab_core: splitting the fast path's work over threads.

#include <cstdint>
#include <functional>

namespace digitlab {

/// Runs fn(begin, end) over [0, parts) in contiguous ranges, one per thread, on `threads` OpenMP threads (the
/// runtime LibTorch's own intra-op threads use). Runs it inline when threads <= 1, when there is one part, or
/// when the build has no OpenMP. fn must not throw.
///
/// LibTorch's at::parallel_for cannot do this from DigitLab's code: its OpenMP version is a header template
/// that only runs in parallel in files compiled with -fopenmp, and this is the one file that is.
void run_parts(int64_t parts, int threads, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace digitlab
