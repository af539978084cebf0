#pragma once
// Internal to digitlab_core: batch_norm_relu.h's operation on channels-last (NHWC) activations: n * hw rows of
// `channels` values, floats or bfloat16.
//
// oneDNN runs bfloat16 convolutions on channels-last tensors as they are; on NCHW ones it reorders every
// activation and gradient into its blocked layout and back, about an eighth of a training step. The trainer
// therefore keeps the CPU's bfloat16 activations channels-last, and batch norm follows them here: eight channels
// at a time along each row, the statistics summed in double over fixed chunks of rows, so that the answer does not
// depend on the thread count.

#include "kernels/bfloat16.h"

#include <cstdint>

namespace digitlab {

/// As batch_norm_relu_forward, with x and y channels-last.
void batch_norm_relu_forward_channels_last(const float* x, int64_t rows, int64_t channels, const float* gamma,
                                           const float* beta, double eps, float* y, float* mean, float* var,
                                           int threads);
void batch_norm_relu_forward_channels_last(const BFloat16Bits* x, int64_t rows, int64_t channels, const float* gamma,
                                           const float* beta, double eps, BFloat16Bits* y, float* mean, float* var,
                                           int threads);

/// As batch_norm_relu_backward, with grad_y, x, y and grad_x channels-last.
void batch_norm_relu_backward_channels_last(const float* grad_y, const float* x, const float* y, int64_t rows,
                                            int64_t channels, const float* gamma, const float* mean, const float* var,
                                            double eps, float* grad_x, float* grad_gamma, float* grad_beta,
                                            int threads);
void batch_norm_relu_backward_channels_last(const BFloat16Bits* grad_y, const BFloat16Bits* x, const BFloat16Bits* y,
                                            int64_t rows, int64_t channels, const float* gamma, const float* mean,
                                            const float* var, double eps, BFloat16Bits* grad_x, float* grad_gamma,
                                            float* grad_beta, int threads);

}  // namespace digitlab
