#include "kernels/parallel_parts.h"

#include <algorithm>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace digitlab {

void run_parts(int64_t parts, int threads, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t teams = std::min<int64_t>(threads, parts);
#ifdef _OPENMP
  if (teams > 1 && !omp_in_parallel()) {
#pragma omp parallel num_threads(static_cast <int>(teams))
    {
      const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
      const int64_t begin = parts * t / n, end = parts * (t + 1) / n;
      if (begin < end) fn(begin, end);
    }
    return;
  }
#endif
  if (parts > 0) fn(0, parts);
}

}  // namespace digitlab
