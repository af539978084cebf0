#pragma once
// Internal to digitlab_core: the matrix product under the Predictor's fast path (FoldedDigitNet), written for
// AVX2 + FMA. Nothing here includes LibTorch; callers check available() first.

#include <cstdint>
#include <cstring>
#include <vector>

// Functions marked with this are compiled for AVX2 + FMA whatever the rest of the build targets; they run
// only after simd::available() said yes.
#if defined(__x86_64__) || defined(__i386__)
#define DIGITLAB_SIMD_TARGET __attribute__((target("avx2,fma")))
#else
#define DIGITLAB_SIMD_TARGET
#endif

namespace digitlab::simd {

/// Columns per panel: two AVX2 registers of floats.
constexpr int kPanelWidth = 16;

/// Eight floats, one AVX2 register (GCC/Clang vector extension, so the same code reads on any CPU).
typedef float Float8 __attribute__((vector_size(32)));
constexpr int kLanes = 8;  ///< Floats in a Float8.
/// Eight 32-bit integers: what comparing two Float8 gives (-1 where true, 0 where false).
typedef int32_t Int8 __attribute__((vector_size(32)));

DIGITLAB_SIMD_TARGET inline Float8 load8(const float* p) {
  Float8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
DIGITLAB_SIMD_TARGET inline void store8(float* p, Float8 v) { std::memcpy(p, &v, sizeof v); }

/// max(v, 0) lane by lane.
DIGITLAB_SIMD_TARGET inline Float8 relu8(Float8 v) {
  const Float8 zero{};
  return v > zero ? v : zero;
}

/// Whether this CPU executes AVX2 and FMA instructions (always false off x86).
bool available();

/// B (k x n, row-major) cut into ceil(n / 16) column panels of k x 16, each stored row after row, so that a
/// product reads one panel front to back. Columns past n are zero.
std::vector<float> pack_panels(const float* b, int k, int n);

/// C = A * P for one panel P (k x 16): A is rows x k with row stride lda, C is rows x 16 with row stride ldc.
/// Runs six rows at a time, with the twelve accumulators in registers.
void multiply_panel(const float* a, int64_t lda, int rows, const float* panel, int k, float* c, int64_t ldc);

}  // namespace digitlab::simd
