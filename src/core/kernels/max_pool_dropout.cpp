#include "kernels/max_pool_dropout.h"

#include "kernels/parallel_parts.h"

#include <algorithm>
#include <cstring>
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

/// Where a run of windows starts: window k's four values are places[0..3][k * Step]. In NCHW (Step 2) they are
/// two neighbours on each of two rows; in NHWC (Step 1) one channel of four neighbouring pixels.
template <typename T>
struct Windows {
  T* places[4];  // top left, top right, bottom left, bottom right

  /// The windows `offset` elements further on (in NHWC, those of another pixel).
  Windows shifted(int64_t offset) const {
    return {{places[0] + offset, places[1] + offset, places[2] + offset, places[3] + offset}};
  }
};

/// `count` windows: the max of each times `keep`, and its place (kDropped where dropout took it). Branch-free, so
/// that random data costs no mispredictions and the NHWC loop vectorizes. A NaN is kept only in a window's first
/// place: batch norm before the pooling has then made its whole channel NaN anyway.
template <int Step, typename T>
DIGITLAB_SIMD_TARGET void pool_windows(Windows<const T> in, int64_t count, const uint8_t* dropped, float keep, T* y,
                                       uint8_t* which) {
  for (int64_t k = 0; k < count; ++k) {
    float best = to_float(in.places[0][Step * k]);
    uint8_t at = 0;
    for (uint8_t place = 1; place < 4; ++place) {
      const float v = to_float(in.places[place][Step * k]);
      at = v > best ? place : at;
      best = v > best ? v : best;
    }
    which[k] = dropped[k] ? kDropped : at;
    store_as(y + k, dropped[k] ? 0.0f : best * keep);
  }
}

/// `count` windows backward: each window's gradient times `keep` at its max's place, 0 at the other three (at all
/// four where dropout took the window: its place is kDropped).
template <int Step, typename T>
DIGITLAB_SIMD_TARGET void unpool_windows(const T* grad_y, const uint8_t* which, int64_t count, float keep,
                                         Windows<T> out) {
  const T zero{};
  for (int64_t k = 0; k < count; ++k) {
    T g = grad_y[k];
    if (keep != 1.0f) store_as(&g, to_float(g) * keep);
    for (uint8_t place = 0; place < 4; ++place) out.places[place][Step * k] = which[k] == place ? g : zero;
  }
}

#if defined(__x86_64__) || defined(__i386__)
constexpr bool kSimdPooling = true;

/// Eight 0/-1 lanes from eight bytes: -1 where the byte equals `value`.
DIGITLAB_SIMD_TARGET inline simd::Int8 bytes_equal(const uint8_t* bytes, int value) {
  int64_t packed;
  std::memcpy(&packed, bytes, sizeof packed);
  const __m256i wide = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(packed));
  return reinterpret_cast<simd::Int8>(_mm256_cmpeq_epi32(wide, _mm256_set1_epi32(value)));
}

/// pool_windows<1> eight channels at a time (channels a multiple of 8, on an AVX2 CPU): the compiler does not
/// vectorize the four-pointer loop itself.
template <typename T>
DIGITLAB_SIMD_TARGET void pool_pixel_simd(Windows<const T> in, int64_t channels, const uint8_t* dropped, float keep,
                                          T* y, uint8_t* which) {
  const simd::Float8 zero{};
  for (int64_t c = 0; c < channels; c += simd::kLanes) {
    simd::Float8 best = simd::load8(in.places[0] + c);
    simd::Int8 at{};
    for (int place = 1; place < 4; ++place) {
      const simd::Float8 v = simd::load8(in.places[place] + c);
      const simd::Int8 larger = v > best;
      at = larger ? simd::Int8{} + place : at;
      best = larger ? v : best;
    }
    const simd::Int8 gone = bytes_equal(dropped + c, 1);
    simd::store8(y + c, gone ? zero : best * keep);
    for (int k = 0; k < simd::kLanes; ++k) which[c + k] = gone[k] ? kDropped : static_cast<uint8_t>(at[k]);
  }
}

/// unpool_windows<1> eight channels at a time (as pool_pixel_simd).
template <typename T>
DIGITLAB_SIMD_TARGET void unpool_pixel_simd(const T* grad_y, const uint8_t* which, int64_t channels, float keep,
                                            Windows<T> out) {
  const simd::Float8 zero{};
  for (int64_t c = 0; c < channels; c += simd::kLanes) {
    const simd::Float8 g = simd::load8(grad_y + c) * keep;
    for (int place = 0; place < 4; ++place) simd::store8(out.places[place] + c, bytes_equal(which + c, place) ? g : zero);
  }
}
#else
constexpr bool kSimdPooling = false;
template <typename T>
void pool_pixel_simd(Windows<const T>, int64_t, const uint8_t*, float, T*, uint8_t*) {}
template <typename T>
void unpool_pixel_simd(const T*, const uint8_t*, int64_t, float, Windows<T>) {}
#endif

/// The windows of output row i of one NCHW plane, or of one NHWC image (all channels of its pixels).
template <typename T>
Windows<T> row_windows(T* image, int64_t i, int64_t w, int64_t pixel) {
  T* top = image + 2 * i * w * pixel;
  T* bottom = top + w * pixel;
  return {{top, top + pixel, bottom, bottom + pixel}};
}

/// NCHW: a plane per image and channel, a row of out_w windows at a time.
template <typename T>
void forward_planes(const T* x, const PoolShape& s, const DropoutMask& mask, T* y, uint8_t* which, int threads) {
  const int64_t oh = s.out_h(), ow = s.out_w(), plane_in = s.h * s.w, plane_out = oh * ow;
  const float keep = mask.keep();
  run_parts(s.planes, threads, [&](int64_t begin, int64_t end) {
    std::vector<uint8_t> dropped(static_cast<size_t>(plane_out), 0);
    for (int64_t p = begin; p < end; ++p) {
      if (mask.drops()) mark_dropped(mask, p * plane_out, plane_out, dropped.data());
      for (int64_t i = 0; i < oh; ++i) {
        const int64_t row = p * plane_out + i * ow;
        pool_windows<2>(row_windows(x + p * plane_in, i, s.w, 1), ow, dropped.data() + i * ow, keep, y + row,
                        which + row);
      }
    }
  });
}

/// NHWC: each output pixel's channels at a time.
template <typename T>
void forward_pixels(const T* x, const PoolShape& s, int64_t channels, const DropoutMask& mask, T* y, uint8_t* which,
                    int threads) {
  const int64_t oh = s.out_h(), ow = s.out_w(), image_in = s.h * s.w * channels;
  const float keep = mask.keep();
  const bool simd_channels = kSimdPooling && channels % simd::kLanes == 0 && simd::available();
  run_parts(s.planes * oh, threads, [&](int64_t begin, int64_t end) {
    std::vector<uint8_t> dropped(static_cast<size_t>(ow * channels), 0);
    for (int64_t r = begin; r < end; ++r) {  // output rows of all images
      const int64_t image = r / oh, i = r % oh, first = r * ow * channels;
      if (mask.drops()) mark_dropped(mask, first, ow * channels, dropped.data());
      const Windows<const T> row = row_windows(x + image * image_in, i, s.w, channels);
      for (int64_t j = 0; j < ow; ++j) {
        const Windows<const T> pixel = row.shifted(2 * j * channels);
        const int64_t o = first + j * channels;
        if (simd_channels) {
          pool_pixel_simd(pixel, channels, dropped.data() + j * channels, keep, y + o, which + o);
        } else {
          pool_windows<1>(pixel, channels, dropped.data() + j * channels, keep, y + o, which + o);
        }
      }
    }
  });
}

template <typename T>
void backward_planes(const T* grad_y, const uint8_t* which, const PoolShape& s, const DropoutMask& mask, T* grad_x,
                     int threads) {
  const int64_t oh = s.out_h(), ow = s.out_w(), h = s.h, w = s.w, plane_in = h * w, plane_out = oh * ow;
  const float keep = mask.keep();
  const T zero{};
  run_parts(s.planes, threads, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* plane = grad_x + p * plane_in;
      for (int64_t i = 0; i < oh; ++i) {
        const int64_t row = p * plane_out + i * ow;
        unpool_windows<2>(grad_y + row, which + row, ow, keep, row_windows(plane, i, w, 1));
        if (w % 2 != 0) plane[(2 * i + 1) * w - 1] = plane[(2 * i + 2) * w - 1] = zero;  // the column left out
      }
      if (h % 2 != 0) std::fill(plane + (h - 1) * w, plane + h * w, zero);  // and the row
    }
  });
}

template <typename T>
void backward_pixels(const T* grad_y, const uint8_t* which, const PoolShape& s, int64_t channels,
                     const DropoutMask& mask, T* grad_x, int threads) {
  const int64_t oh = s.out_h(), ow = s.out_w(), h = s.h, w = s.w, image_in = h * w * channels;
  const float keep = mask.keep();
  const bool simd_channels = kSimdPooling && channels % simd::kLanes == 0 && simd::available();
  const T zero{};
  run_parts(s.planes, threads, [&](int64_t begin, int64_t end) {
    for (int64_t image = begin; image < end; ++image) {
      T* in = grad_x + image * image_in;
      for (int64_t i = 0; i < oh; ++i) {
        const Windows<T> row = row_windows(in, i, w, channels);
        for (int64_t j = 0; j < ow; ++j) {
          const int64_t o = ((image * oh + i) * ow + j) * channels;
          const Windows<T> pixel = row.shifted(2 * j * channels);
          if (simd_channels) {
            unpool_pixel_simd(grad_y + o, which + o, channels, keep, pixel);
          } else {
            unpool_windows<1>(grad_y + o, which + o, channels, keep, pixel);
          }
        }
        if (w % 2 != 0) {  // the column left out, on both rows
          for (T* line : {row.places[0], row.places[2]}) std::fill(line + (w - 1) * channels, line + w * channels, zero);
        }
      }
      if (h % 2 != 0) std::fill(in + (h - 1) * w * channels, in + image_in, zero);  // and the row
    }
  });
}

}  // namespace

void max_pool_dropout_forward(const float* x, const PoolShape& shape, const DropoutMask& mask, float* y,
                              uint8_t* which, int threads) {
  forward_planes(x, shape, mask, y, which, threads);
}

void max_pool_dropout_forward(const BFloat16Bits* x, const PoolShape& shape, const DropoutMask& mask, BFloat16Bits* y,
                              uint8_t* which, int threads) {
  forward_planes(x, shape, mask, y, which, threads);
}

void max_pool_dropout_backward(const float* grad_y, const uint8_t* which, const PoolShape& shape,
                               const DropoutMask& mask, float* grad_x, int threads) {
  backward_planes(grad_y, which, shape, mask, grad_x, threads);
}

void max_pool_dropout_backward(const BFloat16Bits* grad_y, const uint8_t* which, const PoolShape& shape,
                               const DropoutMask& mask, BFloat16Bits* grad_x, int threads) {
  backward_planes(grad_y, which, shape, mask, grad_x, threads);
}

void max_pool_dropout_forward_channels_last(const float* x, const PoolShape& shape, int64_t channels,
                                            const DropoutMask& mask, float* y, uint8_t* which, int threads) {
  forward_pixels(x, shape, channels, mask, y, which, threads);
}

void max_pool_dropout_forward_channels_last(const BFloat16Bits* x, const PoolShape& shape, int64_t channels,
                                            const DropoutMask& mask, BFloat16Bits* y, uint8_t* which, int threads) {
  forward_pixels(x, shape, channels, mask, y, which, threads);
}

void max_pool_dropout_backward_channels_last(const float* grad_y, const uint8_t* which, const PoolShape& shape,
                                             int64_t channels, const DropoutMask& mask, float* grad_x, int threads) {
  backward_pixels(grad_y, which, shape, channels, mask, grad_x, threads);
}

void max_pool_dropout_backward_channels_last(const BFloat16Bits* grad_y, const uint8_t* which, const PoolShape& shape,
                                             int64_t channels, const DropoutMask& mask, BFloat16Bits* grad_x,
                                             int threads) {
  backward_pixels(grad_y, which, shape, channels, mask, grad_x, threads);
}

}  // namespace digitlab
