#include "kernels/max_pool_dropout.h"

#include "kernels/parallel_parts.h"

#include <algorithm>
#include <vector>

namespace digitlab {
namespace {

/// The place of a window that dropout took: matches none of the four.
constexpr uint8_t kDropped = 4;

/// Marks which of the outputs first .. first + count - 1 dropout drops (1) or keeps (0). Separate from the pooling
/// so that the hashes vectorize.
DIGITLAB_SIMD_TARGET void mark_dropped(const DropoutMask& mask, int64_t first, int64_t count, uint8_t* dropped) {
  const uint64_t threshold = mask.threshold();
  for (int64_t k = 0; k < count; ++k) dropped[k] = mask.bits(static_cast<uint64_t>(first + k)) < threshold ? 1 : 0;
}

/// One row of windows: the max of each times `keep`, and its place (kDropped where dropout took it). Branch-free,
/// so that random data costs no mispredictions. A NaN is kept only in a window's first place: batch norm before
/// the pooling has then made its whole channel NaN anyway.
template <typename T>
DIGITLAB_SIMD_TARGET void pool_row(const T* top, const T* bottom, int64_t ow, const uint8_t* dropped, float keep,
                                   T* y, uint8_t* which) {
  for (int64_t j = 0; j < ow; ++j) {
    const float a = to_float(top[2 * j]), b = to_float(top[2 * j + 1]), c = to_float(bottom[2 * j]),
                d = to_float(bottom[2 * j + 1]);
    float best = a;
    uint8_t at = 0;
    at = b > best ? 1 : at;
    best = b > best ? b : best;
    at = c > best ? 2 : at;
    best = c > best ? c : best;
    at = d > best ? 3 : at;
    best = d > best ? d : best;
    which[j] = dropped[j] ? kDropped : at;
    store_as(y + j, dropped[j] ? 0.0f : best * keep);
  }
}

template <typename T>
void forward(const T* x, const PoolShape& s, const DropoutMask& mask, T* y, uint8_t* which, int threads) {
  const int64_t oh = s.out_h(), ow = s.out_w(), w = s.w, plane_in = s.h * s.w, plane_out = oh * ow;
  const float keep = mask.drops() ? mask.keep() : 1.0f;
  run_parts(s.planes, threads, [&](int64_t begin, int64_t end) {
    std::vector<uint8_t> dropped(static_cast<size_t>(plane_out), 0);
    for (int64_t p = begin; p < end; ++p) {
      if (mask.drops()) mark_dropped(mask, p * plane_out, plane_out, dropped.data());
      for (int64_t i = 0; i < oh; ++i) {
        const T* top = x + p * plane_in + 2 * i * w;
        const int64_t row = p * plane_out + i * ow;
        pool_row(top, top + w, ow, dropped.data() + i * ow, keep, y + row, which + row);
      }
    }
  });
}

/// One row of windows backward: each window's gradient times `keep` at its max's place, 0 at the other three (at
/// all four where dropout took the window: its place is kDropped).
template <typename T>
DIGITLAB_SIMD_TARGET void unpool_row(const T* grad_y, const uint8_t* which, int64_t ow, float keep, T* top,
                                     T* bottom) {
  const T zero{};
  for (int64_t j = 0; j < ow; ++j) {
    T g = grad_y[j];
    if (keep != 1.0f) store_as(&g, to_float(g) * keep);
    const uint8_t at = which[j];
    top[2 * j] = at == 0 ? g : zero;
    top[2 * j + 1] = at == 1 ? g : zero;
    bottom[2 * j] = at == 2 ? g : zero;
    bottom[2 * j + 1] = at == 3 ? g : zero;
  }
}

template <typename T>
void backward(const T* grad_y, const uint8_t* which, const PoolShape& s, const DropoutMask& mask, T* grad_x,
              int threads) {
  const int64_t oh = s.out_h(), ow = s.out_w(), h = s.h, w = s.w, plane_in = s.h * s.w, plane_out = oh * ow;
  const float keep = mask.drops() ? mask.keep() : 1.0f;
  const T zero{};
  run_parts(s.planes, threads, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* plane = grad_x + p * plane_in;
      for (int64_t i = 0; i < oh; ++i) {
        T* top = plane + 2 * i * w;
        const int64_t row = p * plane_out + i * ow;
        unpool_row(grad_y + row, which + row, ow, keep, top, top + w);
        if (w % 2 != 0) top[w - 1] = top[2 * w - 1] = zero;  // the column pooling left out
      }
      if (h % 2 != 0) std::fill(plane + (h - 1) * w, plane + h * w, zero);  // and the row
    }
  });
}

}  // namespace

void max_pool_dropout_forward(const float* x, const PoolShape& shape, const DropoutMask& mask, float* y,
                              uint8_t* which, int threads) {
  forward(x, shape, mask, y, which, threads);
}

void max_pool_dropout_forward(const BFloat16Bits* x, const PoolShape& shape, const DropoutMask& mask, BFloat16Bits* y,
                              uint8_t* which, int threads) {
  forward(x, shape, mask, y, which, threads);
}

void max_pool_dropout_backward(const float* grad_y, const uint8_t* which, const PoolShape& shape,
                               const DropoutMask& mask, float* grad_x, int threads) {
  backward(grad_y, which, shape, mask, grad_x, threads);
}

void max_pool_dropout_backward(const BFloat16Bits* grad_y, const uint8_t* which, const PoolShape& shape,
                               const DropoutMask& mask, BFloat16Bits* grad_x, int threads) {
  backward(grad_y, which, shape, mask, grad_x, threads);
}

}  // namespace digitlab
