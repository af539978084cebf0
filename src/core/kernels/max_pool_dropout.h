#pragma once
// Internal to digitlab_core: DigitNet's 2x2 max pooling and the dropout after it, as one pass each way.
//
// LibTorch 1.13's CPU max_pool2d takes about 15 ms forward for a batch of 256 of DigitNet's first block here (a
// tenth of a training step over the three blocks), then dropout and, under bfloat16 autocast, two casts follow.
// Here one pass reads each window, keeps which of its four values was the largest, or that dropout took the
// window (a byte), and writes the max times the dropout factor; the backward writes each window's gradient in one
// pass from that byte alone. Activations are NCHW (a plane per image and channel) or channels-last (NHWC), floats
// or bfloat16. The loops are compiled for AVX2: callers check simd::available() first.

#include "kernels/bfloat16.h"
#include "kernels/dropout_mask.h"

#include <cstdint>

namespace digitlab {

/// The shape of one pooling: `planes` planes (images x channels) of h x w in, (h / 2) x (w / 2) out; an odd last
/// row or column is left out, as max_pool2d(x, 2) leaves it.
struct PoolShape {
  int64_t planes = 0;
  int64_t h = 0;
  int64_t w = 0;
  int64_t out_h() const { return h / 2; }
  int64_t out_w() const { return w / 2; }
  int64_t outputs() const { return planes * out_h() * out_w(); }
};

/// y[o] = max of window o * mask[o]; which[o] = the max's place in its window (0..3, row by row; the first of
/// equal values, as in LibTorch), or 4 where the mask dropped it.
void max_pool_dropout_forward(const float* x, const PoolShape& shape, const DropoutMask& mask, float* y,
                              uint8_t* which, int threads);
void max_pool_dropout_forward(const BFloat16Bits* x, const PoolShape& shape, const DropoutMask& mask, BFloat16Bits* y,
                              uint8_t* which, int threads);

/// grad_x (planes x h x w): grad_y[o] * mask.keep() at the place of window o's max, 0 elsewhere (and everywhere
/// in a window the mask dropped); `which` and `mask` as the forward had them.
void max_pool_dropout_backward(const float* grad_y, const uint8_t* which, const PoolShape& shape,
                               const DropoutMask& mask, float* grad_x, int threads);
void max_pool_dropout_backward(const BFloat16Bits* grad_y, const uint8_t* which, const PoolShape& shape,
                               const DropoutMask& mask, BFloat16Bits* grad_x, int threads);

/// The same on channels-last (NHWC) activations: shape.planes is then the number of images, each h x w pixels of
/// `channels` values; which, y and the mask's elements follow the output's NHWC order.
void max_pool_dropout_forward_channels_last(const float* x, const PoolShape& shape, int64_t channels,
                                            const DropoutMask& mask, float* y, uint8_t* which, int threads);
void max_pool_dropout_forward_channels_last(const BFloat16Bits* x, const PoolShape& shape, int64_t channels,
                                            const DropoutMask& mask, BFloat16Bits* y, uint8_t* which, int threads);
void max_pool_dropout_backward_channels_last(const float* grad_y, const uint8_t* which, const PoolShape& shape,
                                             int64_t channels, const DropoutMask& mask, float* grad_x, int threads);
void max_pool_dropout_backward_channels_last(const BFloat16Bits* grad_y, const uint8_t* which, const PoolShape& shape,
                                             int64_t channels, const DropoutMask& mask, BFloat16Bits* grad_x,
                                             int threads);

}  // namespace digitlab
