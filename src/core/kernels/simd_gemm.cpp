#include "kernels/simd_gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DIGITLAB_X86 1
#endif

namespace digitlab::simd {

bool available() {
#ifdef DIGITLAB_X86
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

std::vector<float> pack_panels(const float* b, int k, int n) {
  const int panels = (n + kPanelWidth - 1) / kPanelWidth;
  std::vector<float> packed(static_cast<size_t>(panels) * k * kPanelWidth, 0.0f);
  for (int p = 0; p < panels; ++p) {
    for (int row = 0; row < k; ++row) {
      for (int j = 0; j < kPanelWidth && p * kPanelWidth + j < n; ++j) {
        packed[(static_cast<size_t>(p) * k + row) * kPanelWidth + j] =
            b[static_cast<size_t>(row) * n + p * kPanelWidth + j];
      }
    }
  }
  return packed;
}

#ifdef DIGITLAB_X86
namespace {

/// ROWS x 16 block of C; the loop over k keeps 2 * ROWS accumulators, the two panel registers and one
/// broadcast in the sixteen AVX registers. The accumulators are named variables rather than an array: GCC
/// keeps an array of vectors on the stack and stores it back every step.
template <int ROWS>
DIGITLAB_SIMD_TARGET inline void block(const float* a, int64_t lda, const float* panel, int k, float* c, int64_t ldc) {
  static_assert(ROWS >= 1 && ROWS <= 6);
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
         c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#define DIGITLAB_ROW_STEP(r)                               \
  if constexpr (ROWS > r) {                                \
    const __m256 x = _mm256_broadcast_ss(a + r * lda + i); \
    c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0);             \
    c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);             \
  }
  for (int i = 0; i < k; ++i) {
    const __m256 b0 = _mm256_loadu_ps(panel + i * kPanelWidth);
    const __m256 b1 = _mm256_loadu_ps(panel + i * kPanelWidth + 8);
    DIGITLAB_ROW_STEP(0)
    DIGITLAB_ROW_STEP(1)
    DIGITLAB_ROW_STEP(2)
    DIGITLAB_ROW_STEP(3)
    DIGITLAB_ROW_STEP(4)
    DIGITLAB_ROW_STEP(5)
  }
#undef DIGITLAB_ROW_STEP
#define DIGITLAB_ROW_STORE(r)                   \
  if constexpr (ROWS > r) {                     \
    _mm256_storeu_ps(c + r * ldc, c##r##0);     \
    _mm256_storeu_ps(c + r * ldc + 8, c##r##1); \
  }
  DIGITLAB_ROW_STORE(0)
  DIGITLAB_ROW_STORE(1)
  DIGITLAB_ROW_STORE(2)
  DIGITLAB_ROW_STORE(3)
  DIGITLAB_ROW_STORE(4)
  DIGITLAB_ROW_STORE(5)
#undef DIGITLAB_ROW_STORE
}

}  // namespace

DIGITLAB_SIMD_TARGET void multiply_panel(const float* a, int64_t lda, int rows, const float* panel, int k, float* c,
                                         int64_t ldc) {
  int r = 0;
  for (; r + 6 <= rows; r += 6) block<6>(a + r * lda, lda, panel, k, c + r * ldc, ldc);
  switch (rows - r) {
    case 5:
      block<5>(a + r * lda, lda, panel, k, c + r * ldc, ldc);
      break;
    case 4:
      block<4>(a + r * lda, lda, panel, k, c + r * ldc, ldc);
      break;
    case 3:
      block<3>(a + r * lda, lda, panel, k, c + r * ldc, ldc);
      break;
    case 2:
      block<2>(a + r * lda, lda, panel, k, c + r * ldc, ldc);
      break;
    case 1:
      block<1>(a + r * lda, lda, panel, k, c + r * ldc, ldc);
      break;
    default:
      break;
  }
}
#else
// Off x86 the fast path is never chosen (available() is false); this plain loop keeps the function correct.
void multiply_panel(const float* a, int64_t lda, int rows, const float* panel, int k, float* c, int64_t ldc) {
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < kPanelWidth; ++j) {
      float sum = 0.0f;
      for (int i = 0; i < k; ++i) sum += a[r * lda + i] * panel[i * kPanelWidth + j];
      c[r * ldc + j] = sum;
    }
  }
}
#endif

}  // namespace digitlab::simd
