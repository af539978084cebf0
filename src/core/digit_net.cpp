#include <digitlab/digit_net.h>

#include "dropout_mask.h"

#include <limits>

namespace digitlab {
namespace {

torch::nn::Conv2d make_conv(int64_t in, int64_t out) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, /*kernel_size=*/3).padding(/*padding=*/1));
}

constexpr int64_t kFlatFeatures = 128 * 3 * 3;
constexpr double kConvDropout = 0.25;
constexpr double kDenseDropout = 0.5;

}  // namespace

DigitNetImpl::DigitNetImpl()
    : convs_{make_conv(1, 32), make_conv(32, 32), make_conv(32, 64),
             make_conv(64, 64), make_conv(64, 128), make_conv(128, 128)},
      bns_{torch::nn::BatchNorm2d(32), torch::nn::BatchNorm2d(32), torch::nn::BatchNorm2d(64),
           torch::nn::BatchNorm2d(64), torch::nn::BatchNorm2d(128), torch::nn::BatchNorm2d(128)},
      fc1_(torch::nn::Linear(kFlatFeatures, /*out_features=*/256)),
      fc2_(torch::nn::Linear(/*in_features=*/256, kNumClasses)) {
  for (int i = 0; i < kConvCount; ++i) {
    register_module("conv" + std::to_string(i + 1), convs_[i]);
    register_module("bn" + std::to_string(i + 1), bns_[i]);
  }
  register_module("fc1", fc1_);
  register_module("fc2", fc2_);
}

namespace {

/// Inverted dropout, as torch::dropout, with the CPU mask from fill_dropout_mask (several times faster
/// than LibTorch 1.13's) and its seed drawn from LibTorch's generator. Other devices use torch::dropout.
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p == 0.0) return x;
  if (!x.is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, training);
  const auto seed = torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>();
  auto mask = torch::empty(x.sizes(), x.options().requires_grad(false));
  fill_dropout_mask(mask.data_ptr<float>(), mask.numel(), static_cast<uint64_t>(seed), p, torch::get_num_threads());
  return x * mask;
}

}  // namespace

torch::Tensor DigitNetImpl::forward(torch::Tensor x) {
  x = (x - kMnistMean) / kMnistStd;
  for (int i = 0; i < kConvCount; ++i) {
    x = bns_[i]->forward(convs_[i]->forward(x)).relu_();
    if (i % 2 == 1) {
      // End of a block.
      x = torch::max_pool2d(x, /*kernel_size=*/2);
      x = fast_dropout(x, kConvDropout, is_training());
    }
  }
  x = fc1_->forward(x.flatten(/*start_dim=*/1)).relu_();
  x = fast_dropout(x, kDenseDropout, is_training());
  return fc2_->forward(x);
}

torch::Tensor DigitNetImpl::probabilities(const torch::Tensor& x) {
  return torch::softmax(forward(x), /*dim=*/1);
}

torch::Tensor DigitNetImpl::l2_penalty() const {
  return kDenseL2 * fc1_->weight.square().sum();
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& p : module.parameters()) total += p.numel();
  return total;
}

}  // namespace digitlab
