#include <digitlab/digit_net.h>

#include "model/training_ops.h"

#include <utility>

namespace digitlab {

DigitNetImpl::DigitNetImpl(ModelSpec spec) : spec_(std::move(spec)) {
  spec_.validate();
  for (int i = 0; i < spec_.conv_count(); ++i) {
    const auto out = spec_.conv_out_channels(i);
    convs_.push_back(register_module(
        "conv" + std::to_string(i + 1),
        torch::nn::Conv2d(
            torch::nn::Conv2dOptions(spec_.conv_in_channels(i), out, /*kernel_size=*/3).padding(/*padding=*/1))));
    bns_.push_back(register_module("bn" + std::to_string(i + 1), torch::nn::BatchNorm2d(out)));
  }
  for (int i = 0; i < spec_.dense_count(); ++i) {
    dense_.push_back(register_module("fc" + std::to_string(i + 1),
                                     torch::nn::Linear(spec_.dense_in_features(i), spec_.dense_out_features(i))));
  }
}

torch::Tensor DigitNetImpl::forward(torch::Tensor x) { return forward_keeping_last_conv(std::move(x), nullptr); }

torch::Tensor DigitNetImpl::forward_keeping_last_conv(torch::Tensor x, torch::Tensor* last_conv) {
  x = (x - spec_.mean) / spec_.std;
  for (int i = 0; i < spec_.conv_count(); ++i) {
    // Under the CPU's bfloat16 autocast the convolution answers in bfloat16. In training, batch norm and pooling
    // read and write it as it is, so the next convolution takes it without a cast; elsewhere batch norm runs in
    // float on the CPU. CUDA's batch norm takes bfloat16 as it is.
    x = batch_norm_relu(bns_[static_cast<size_t>(i)], convs_[static_cast<size_t>(i)]->forward(x));
    if (last_conv && i + 1 == spec_.conv_count()) *last_conv = x;
    if (spec_.ends_block(i)) x = max_pool_dropout(x, spec_.conv_dropout, is_training());
  }
  x = x.flatten(/*start_dim=*/1);
  for (size_t i = 0; i + 1 < dense_.size(); ++i) {
    x = fast_dropout(dense_[i]->forward(x).relu_(), spec_.dense_dropout, is_training());
  }
  return dense_.back()->forward(x);
}

torch::Tensor DigitNetImpl::probabilities(const torch::Tensor& x) { return torch::softmax(forward(x), /*dim=*/1); }

torch::Tensor DigitNetImpl::l2_penalty() const { return spec_.dense_l2 * dense_.front()->weight.square().sum(); }

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& p : module.parameters()) total += p.numel();
  return total;
}

}  // namespace digitlab
