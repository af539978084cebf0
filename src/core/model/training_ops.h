#pragma once
// Internal to digitlab_model: the CPU training operations DigitNet's forward uses in place of LibTorch's, each
// giving the same values and gradients (tests/test_fast_kernels.cpp) on DigitLab's own kernels.

#include <torch/torch.h>

namespace digitlab {

/// Inverted dropout, as torch::dropout, with the CPU mask from fill_dropout_mask (several times faster
/// than LibTorch 1.13's) and its seed drawn from LibTorch's generator. Other devices use torch::dropout.
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

/// dropout(max_pool2d(x, 2), p). In training on an AVX2 CPU, with x float or bfloat16, as one autograd operation over
/// DigitLab's loops (max_pool_dropout.h) that keeps x's element type and draws the mask's seed as fast_dropout does;
/// otherwise LibTorch's pooling and fast_dropout.
torch::Tensor max_pool_dropout(const torch::Tensor& x, double p, bool training);

/// A batch of images (n x c x h x w) laid out channels-last, so that the first convolution answers channels-last
/// too. With one channel NCHW memory is already NHWC, but LibTorch only reads a layout off the strides: the
/// answer is a view with channels-last strides.
torch::Tensor channels_last_images(const torch::Tensor& x);

/// relu(bn(x)). In training on an AVX2 CPU as one autograd operation over DigitLab's fused loops, which
/// updates the running statistics as BatchNorm2d does (momentum, unbiased variance) and counts the batch, with x
/// float or bfloat16 (the convolution's output under the CPU's bfloat16 autocast), which the answer keeps;
/// otherwise the module itself, in float on the CPU.
torch::Tensor batch_norm_relu(torch::nn::BatchNorm2d& bn, const torch::Tensor& x);

}  // namespace digitlab
