#include "model/training_ops.h"

#include "kernels/batch_norm_relu.h"
#include "kernels/dropout_mask.h"
#include "kernels/simd_gemm.h"

#include <limits>

namespace digitlab {
namespace {

/// Training-mode BatchNorm2d + ReLU on the CPU as one autograd operation (see batch_norm_relu.h); the
/// module's running statistics and batch count are updated as BatchNorm2d::forward does.
struct BatchNormRelu : torch::autograd::Function<BatchNormRelu> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& gamma, const torch::Tensor& beta, torch::Tensor running_mean,
                               torch::Tensor running_var, double eps, double momentum) {
    const auto x = input.contiguous();
    const int64_t n = x.size(0), channels = x.size(1), hw = x.size(2) * x.size(3);
    auto y = torch::empty_like(x);
    auto mean = torch::empty({channels}, x.options());
    auto var = torch::empty({channels}, x.options());
    const auto g = gamma.contiguous(), b = beta.contiguous();
    batch_norm_relu_forward(x.data_ptr<float>(), n, channels, hw, g.data_ptr<float>(), b.data_ptr<float>(), eps,
                            y.data_ptr<float>(), mean.data_ptr<float>(), var.data_ptr<float>(),
                            torch::get_num_threads());
    ctx->save_for_backward({x, y, g, mean, var});
    ctx->saved_data["eps"] = eps;
    // Running statistics as BatchNorm2d keeps them: the variance unbiased.
    const double count = static_cast<double>(n * hw);
    running_mean.mul_(1 - momentum).add_(mean, momentum);
    running_var.mul_(1 - momentum).add_(var, momentum * count / (count - 1));
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& y = saved[1];
    const auto grad_y = grads.at(0).contiguous();
    const int64_t n = x.size(0), channels = x.size(1), hw = x.size(2) * x.size(3);
    auto grad_x = torch::empty_like(x);
    auto grad_gamma = torch::empty({channels}, x.options());
    auto grad_beta = torch::empty({channels}, x.options());
    batch_norm_relu_backward(grad_y.data_ptr<float>(), x.data_ptr<float>(), y.data_ptr<float>(), n, channels, hw,
                             saved[2].data_ptr<float>(), saved[3].data_ptr<float>(), saved[4].data_ptr<float>(),
                             ctx->saved_data["eps"].toDouble(), grad_x.data_ptr<float>(), grad_gamma.data_ptr<float>(),
                             grad_beta.data_ptr<float>(), torch::get_num_threads());
    return {grad_x, grad_gamma, grad_beta, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

// Inverted dropout with DigitLab's mask (see training_ops.h).
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p == 0.0) return x;
  if (!x.is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, training);
  const auto seed = torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>();
  auto mask = torch::empty(x.sizes(), x.options().requires_grad(false));
  fill_dropout_mask(mask.data_ptr<float>(), mask.numel(), static_cast<uint64_t>(seed), p, torch::get_num_threads());
  return x * mask;
}

/// relu(bn(x)). In training on an AVX2 CPU through BatchNormRelu, which updates the running statistics as
/// BatchNorm2d does (momentum, unbiased variance), and counts the batch; otherwise the module itself.
torch::Tensor batch_norm_relu(torch::nn::BatchNorm2d& bn, const torch::Tensor& x) {
  const auto& o = bn->options;
  // Its loops are compiled for AVX2 + FMA: other CPUs keep the module.
  if (!simd::available() || !bn->is_training() || !x.is_cpu() || x.scalar_type() != torch::kFloat || !o.affine() ||
      !o.track_running_stats() || !o.momentum().has_value() || x.size(0) * x.size(2) * x.size(3) < 2) {
    return bn->forward(x).relu_();
  }
  {
    torch::NoGradGuard no_grad;
    bn->num_batches_tracked += 1;
  }
  return BatchNormRelu::apply(x, bn->weight, bn->bias, bn->running_mean, bn->running_var, o.eps(), *o.momentum());
}

}  // namespace digitlab
