#pragma once
// Internal to digitlab_model: the CPU training operations DigitNet's forward uses in place of LibTorch's, each
// giving the same values and gradients (tests/test_fast_kernels.cpp) on DigitLab's own kernels.

#include <torch/torch.h>

namespace digitlab {

/// Inverted dropout, as torch::dropout, with the CPU mask from fill_dropout_mask (several times faster
/// than LibTorch 1.13's) and its seed drawn from LibTorch's generator. Other devices use torch::dropout.
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

/// relu(bn(x)). In training on an AVX2 CPU as one autograd operation over DigitLab's fused loops, which
/// updates the running statistics as BatchNorm2d does (momentum, unbiased variance) and counts the batch;
/// otherwise the module itself.
torch::Tensor batch_norm_relu(torch::nn::BatchNorm2d& bn, const torch::Tensor& x);

}  // namespace digitlab
