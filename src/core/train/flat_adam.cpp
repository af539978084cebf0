#include "train/flat_adam.h"

#include <stdexcept>

namespace digitlab {
namespace {

/// Strides of a dense tensor of these sizes: channels-last for 4-d ones when asked, else row-major.
std::vector<int64_t> dense_strides(c10::IntArrayRef sizes, bool channels_last) {
  std::vector<int64_t> strides(sizes.size(), 1);
  if (channels_last && sizes.size() == 4) {
    const int64_t c = sizes[1], h = sizes[2], w = sizes[3];
    return {h * w * c, 1, w * c, c};
  }
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 2; i >= 0; --i) {
    strides[static_cast<size_t>(i)] = strides[static_cast<size_t>(i) + 1] * sizes[static_cast<size_t>(i) + 1];
  }
  return strides;
}

}  // namespace

FlatAdam::FlatAdam(std::vector<torch::Tensor> params, bool channels_last, double beta1, double beta2, double eps)
    : params_(std::move(params)), beta1_(beta1), beta2_(beta2), eps_(eps) {
  if (params_.empty()) throw std::runtime_error("FlatAdam: no parameters");
  int64_t total = 0;
  for (const auto& p : params_) {
    if (p.scalar_type() != torch::kFloat) throw std::runtime_error("FlatAdam: parameters must be float");
    total += p.numel();
  }
  const auto options = params_.front().options().requires_grad(false);
  values_ = torch::empty({total}, options);
  grads_ = torch::zeros({total}, options);
  exp_avg_ = torch::zeros({total}, options);
  exp_avg_sq_ = torch::zeros({total}, options);
  step_ = torch::zeros({}, options);
  lr_ = torch::zeros({}, options);
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto& p : params_) {
    const auto strides = dense_strides(p.sizes(), channels_last);
    auto value = values_.as_strided(p.sizes(), strides, offset);
    value.copy_(p.detach());
    p.set_data(value);
    p.mutable_grad() = grads_.as_strided(p.sizes(), strides, offset);
    offset += p.numel();
  }
}

void FlatAdam::zero_grad() { grads_.zero_(); }

void FlatAdam::set_lr(double lr) { lr_.fill_(lr); }

void FlatAdam::step() {
  torch::NoGradGuard no_grad;
  step_.add_(1.0);
  exp_avg_.mul_(beta1_).add_(grads_, 1.0 - beta1_);
  exp_avg_sq_.mul_(beta2_).addcmul_(grads_, grads_, 1.0 - beta2_);
  const auto bias_correction1 = 1.0 - torch::pow(beta1_, step_);
  const auto bias_correction2 = 1.0 - torch::pow(beta2_, step_);
  // As torch::optim::Adam: p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps).
  const auto denom = (exp_avg_sq_.sqrt() / bias_correction2.sqrt()).add_(eps_);
  values_.sub_(exp_avg_ / denom * (lr_ / bias_correction1));
}

int64_t FlatAdam::steps() const { return static_cast<int64_t>(step_.item<float>()); }

std::vector<torch::Tensor> FlatAdam::state() const {
  return {exp_avg_.detach().clone(), exp_avg_sq_.detach().clone(), step_.detach().clone()};
}

void FlatAdam::restore(const std::vector<torch::Tensor>& state) {
  if (state.size() != 3 || !state[0].sizes().equals(exp_avg_.sizes()) ||
      !state[1].sizes().equals(exp_avg_sq_.sizes()) || state[2].numel() != 1) {
    throw std::runtime_error("the optimizer state does not fit this network");
  }
  torch::NoGradGuard no_grad;
  exp_avg_.copy_(state[0]);
  exp_avg_sq_.copy_(state[1]);
  step_.copy_(state[2].reshape({}));
}

}  // namespace digitlab
