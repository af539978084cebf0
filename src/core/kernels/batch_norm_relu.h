#pragma once
// Internal to digitlab_core: training-mode batch norm followed by ReLU on the CPU, in one operation.
//
// LibTorch runs them as four passes over the activations forward (statistics, normalize, ReLU) and
// three backward (ReLU's mask, then batch norm's reduction and gradient). Here the ReLU is applied as the
// normalized values are written, and its mask is read inside batch norm's backward passes: two passes
// fewer over every block's largest activations. Statistics are summed in double, as LibTorch does.
// Activations are NCHW: n images x channels planes of hw values, floats or bfloat16 (the convolutions' output under
// the CPU's bfloat16 autocast: read and written as they are, the arithmetic in float).

#include "kernels/bfloat16.h"

#include <cstdint>

namespace digitlab {

/// y = max(0, (x - mean) / sqrt(var + eps) * gamma + beta) with each channel's mean and (biased) variance
/// over the batch; mean and var (per channel) are written for the running statistics and the backward.
void batch_norm_relu_forward(const float* x, int64_t n, int64_t channels, int64_t hw, const float* gamma,
                             const float* beta, double eps, float* y, float* mean, float* var, int threads);
void batch_norm_relu_forward(const BFloat16Bits* x, int64_t n, int64_t channels, int64_t hw, const float* gamma,
                             const float* beta, double eps, BFloat16Bits* y, float* mean, float* var, int threads);

/// Gradients of the above from grad_y: grad_x (like x), grad_gamma and grad_beta (per channel).
void batch_norm_relu_backward(const float* grad_y, const float* x, const float* y, int64_t n, int64_t channels,
                              int64_t hw, const float* gamma, const float* mean, const float* var, double eps,
                              float* grad_x, float* grad_gamma, float* grad_beta, int threads);
void batch_norm_relu_backward(const BFloat16Bits* grad_y, const BFloat16Bits* x, const BFloat16Bits* y, int64_t n,
                              int64_t channels, int64_t hw, const float* gamma, const float* mean, const float* var,
                              double eps, BFloat16Bits* grad_x, float* grad_gamma, float* grad_beta, int threads);

}  // namespace digitlab
