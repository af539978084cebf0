#pragma once
// Internal to digitlab_core: bfloat16 values as the training kernels read and write them, stored as the top 16
// bits of a float (LibTorch's at::BFloat16 has the same layout), rounded to nearest even as LibTorch rounds.
//
// Under the CPU's bfloat16 autocast the convolutions answer in bfloat16; the kernels that follow them (batch norm
// with ReLU, pooling with dropout) read and write bfloat16 themselves, so no activation is cast on its way through.

#include "kernels/simd_gemm.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace digitlab {

/// One bfloat16 value's bits.
using BFloat16Bits = uint16_t;

inline float to_float(float v) { return v; }
inline float to_float(BFloat16Bits v) {
  const uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// f rounded to the nearest bfloat16 (ties to even); NaN stays NaN.
inline BFloat16Bits to_bfloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<BFloat16Bits>(bits >> 16);
}

/// Stores f as an element of type T (float or bfloat16).
inline void store_as(float* p, float f) { *p = f; }
inline void store_as(BFloat16Bits* p, float f) { *p = to_bfloat16(f); }

namespace simd {

#if defined(__x86_64__) || defined(__i386__)
/// Eight bfloat16 values as floats.
DIGITLAB_SIMD_TARGET inline Float8 load8(const BFloat16Bits* p) {
  const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return reinterpret_cast<Float8>(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
}

/// Eight floats rounded to bfloat16 (ties to even, NaN kept), as to_bfloat16 rounds each.
DIGITLAB_SIMD_TARGET inline void store8(BFloat16Bits* p, Float8 v) {
  const __m256 f = reinterpret_cast<__m256>(v);
  const __m256i bits = _mm256_castps_si256(f);
  const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
  const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(bits, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7FFF))), 16);
  const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(f, f, _CMP_UNORD_Q));
  const __m256i chosen = _mm256_blendv_epi8(rounded, _mm256_set1_epi32(0x7FC0), nan);
  // 32-bit lanes to 16-bit: packus works within each 128-bit half; the permute brings both halves together.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(chosen, chosen), 0x08);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(packed));
}
#endif

}  // namespace simd
}  // namespace digitlab
