#include "model/training_ops.h"

#include "kernels/batch_norm_relu.h"
#include "kernels/batch_norm_relu_channels_last.h"
#include "kernels/dropout_mask.h"
#include "kernels/max_pool_dropout.h"
#include "kernels/simd_gemm.h"

#include <limits>

namespace digitlab {
namespace {

/// The kernels' view of a float or bfloat16 tensor's elements.
template <typename T>
T* elements(const torch::Tensor& t);
template <>
float* elements<float>(const torch::Tensor& t) {
  return t.data_ptr<float>();
}
template <>
BFloat16Bits* elements<BFloat16Bits>(const torch::Tensor& t) {
  return reinterpret_cast<BFloat16Bits*>(t.data_ptr<at::BFloat16>());
}

/// Calls fn with a value of the kernels' element type for `type`: BFloat16Bits for bfloat16, else float.
template <typename Fn>
void with_element_type(torch::ScalarType type, Fn&& fn) {
  if (type == torch::kBFloat16) {
    fn(BFloat16Bits{});
  } else {
    fn(float{});
  }
}

/// Whether t is laid out channels-last (NHWC) and not also NCHW-contiguous (as a tensor with one channel or one
/// pixel is).
bool is_channels_last(const torch::Tensor& t) {
  return t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast) && !t.is_contiguous();
}

/// t contiguous in `like`'s layout: channels-last or NCHW.
torch::Tensor contiguous_like(const torch::Tensor& t, const torch::Tensor& like) {
  return t.contiguous(is_channels_last(like) ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
}

/// A seed for one dropout mask, drawn from LibTorch's generator so that --seed repeats a run.
uint64_t draw_dropout_seed() {
  return static_cast<uint64_t>(
      torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>());
}

/// Training-mode BatchNorm2d + ReLU on the CPU as one autograd operation (see batch_norm_relu.h); the
/// module's running statistics and batch count are updated as BatchNorm2d::forward does.
struct BatchNormRelu : torch::autograd::Function<BatchNormRelu> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& gamma, const torch::Tensor& beta, torch::Tensor running_mean,
                               torch::Tensor running_var, double eps, double momentum) {
    const auto x = contiguous_like(input, input);
    const int64_t n = x.size(0), channels = x.size(1), hw = x.size(2) * x.size(3);
    auto y = torch::empty_like(x);  // in x's layout
    const auto stats = gamma.options();
    auto mean = torch::empty({channels}, stats);
    auto var = torch::empty({channels}, stats);
    const auto g = gamma.contiguous(), b = beta.contiguous();
    const int threads = torch::get_num_threads();
    with_element_type(x.scalar_type(), [&](auto type) {
      using T = decltype(type);
      if (is_channels_last(x)) {
        batch_norm_relu_forward_channels_last(elements<T>(x), n * hw, channels, g.data_ptr<float>(),
                                              b.data_ptr<float>(), eps, elements<T>(y), mean.data_ptr<float>(),
                                              var.data_ptr<float>(), threads);
      } else {
        batch_norm_relu_forward(elements<T>(x), n, channels, hw, g.data_ptr<float>(), b.data_ptr<float>(), eps,
                                elements<T>(y), mean.data_ptr<float>(), var.data_ptr<float>(), threads);
      }
    });
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
    const auto grad_y = contiguous_like(grads.at(0).to(x.scalar_type()), x);
    const int64_t n = x.size(0), channels = x.size(1), hw = x.size(2) * x.size(3);
    auto grad_x = torch::empty_like(x);
    auto grad_gamma = torch::empty({channels}, saved[2].options());
    auto grad_beta = torch::empty({channels}, saved[2].options());
    const float* gamma = saved[2].data_ptr<float>();
    const float* mean = saved[3].data_ptr<float>();
    const float* var = saved[4].data_ptr<float>();
    const double eps = ctx->saved_data["eps"].toDouble();
    const int threads = torch::get_num_threads();
    with_element_type(x.scalar_type(), [&](auto type) {
      using T = decltype(type);
      if (is_channels_last(x)) {
        batch_norm_relu_backward_channels_last(elements<T>(grad_y), elements<T>(x), elements<T>(y), n * hw, channels,
                                               gamma, mean, var, eps, elements<T>(grad_x),
                                               grad_gamma.data_ptr<float>(), grad_beta.data_ptr<float>(), threads);
      } else {
        batch_norm_relu_backward(elements<T>(grad_y), elements<T>(x), elements<T>(y), n, channels, hw, gamma, mean,
                                 var, eps, elements<T>(grad_x), grad_gamma.data_ptr<float>(),
                                 grad_beta.data_ptr<float>(), threads);
      }
    });
    return {grad_x, grad_gamma, grad_beta, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

/// 2x2 max pooling and dropout as one autograd operation over DigitLab's loops (max_pool_dropout.h); the
/// argument's element type (float or bfloat16) is kept.
struct MaxPoolDropout : torch::autograd::Function<MaxPoolDropout> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, double p) {
    const auto x = contiguous_like(input, input);
    const bool channels_last = is_channels_last(x);
    const int64_t images = x.size(0), channels = x.size(1);
    const PoolShape shape{channels_last ? images : images * channels, x.size(2), x.size(3)};
    const uint64_t seed = p > 0 ? draw_dropout_seed() : 0;
    const DropoutMask mask(seed, p);
    auto y = torch::empty({images, channels, shape.out_h(), shape.out_w()},
                          x.options().memory_format(channels_last ? at::MemoryFormat::ChannelsLast
                                                                  : at::MemoryFormat::Contiguous));
    auto which = torch::empty({y.numel()}, x.options().dtype(torch::kUInt8));
    const int threads = torch::get_num_threads();
    with_element_type(x.scalar_type(), [&](auto type) {
      using T = decltype(type);
      if (channels_last) {
        max_pool_dropout_forward_channels_last(elements<T>(x), shape, channels, mask, elements<T>(y),
                                               which.data_ptr<uint8_t>(), threads);
      } else {
        max_pool_dropout_forward(elements<T>(x), shape, mask, elements<T>(y), which.data_ptr<uint8_t>(), threads);
      }
    });
    ctx->save_for_backward({which});
    ctx->saved_data["sizes"] = x.sizes().vec();
    ctx->saved_data["channels_last"] = channels_last;
    ctx->saved_data["p"] = p;
    ctx->saved_data["seed"] = static_cast<int64_t>(seed);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto which = ctx->get_saved_variables().at(0);
    const auto sizes = ctx->saved_data["sizes"].toIntVector();
    const bool channels_last = ctx->saved_data["channels_last"].toBool();
    const auto layout = channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    const auto grad_y = grads.at(0).contiguous(layout);
    const PoolShape shape{channels_last ? sizes[0] : sizes[0] * sizes[1], sizes[2], sizes[3]};
    const DropoutMask mask(static_cast<uint64_t>(ctx->saved_data["seed"].toInt()), ctx->saved_data["p"].toDouble());
    auto grad_x = torch::empty(sizes, grad_y.options().memory_format(layout));
    const int threads = torch::get_num_threads();
    with_element_type(grad_y.scalar_type(), [&](auto type) {
      using T = decltype(type);
      if (channels_last) {
        max_pool_dropout_backward_channels_last(elements<T>(grad_y), which.data_ptr<uint8_t>(), shape, sizes[1], mask,
                                                elements<T>(grad_x), threads);
      } else {
        max_pool_dropout_backward(elements<T>(grad_y), which.data_ptr<uint8_t>(), shape, mask, elements<T>(grad_x),
                                  threads);
      }
    });
    return {grad_x, torch::Tensor()};
  }
};

}  // namespace

// Inverted dropout with DigitLab's mask (see training_ops.h).
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p == 0.0) return x;
  if (!x.is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, training);
  auto mask = torch::empty(x.sizes(), x.options().requires_grad(false));
  fill_dropout_mask(mask.data_ptr<float>(), mask.numel(), draw_dropout_seed(), p, torch::get_num_threads());
  return x * mask;
}

/// relu(bn(x)). In training on an AVX2 CPU through BatchNormRelu, which updates the running statistics as
/// BatchNorm2d does (momentum, unbiased variance), and counts the batch; otherwise the module itself.
torch::Tensor batch_norm_relu(torch::nn::BatchNorm2d& bn, const torch::Tensor& x) {
  const auto& o = bn->options;
  // Its loops are compiled for AVX2 + FMA: other CPUs keep the module, in float on the CPU (CUDA's batch norm takes
  // bfloat16 as it is).
  const bool element_type = x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16;
  if (!simd::available() || !bn->is_training() || !x.is_cpu() || !element_type || !o.affine() ||
      !o.track_running_stats() || !o.momentum().has_value() || x.size(0) * x.size(2) * x.size(3) < 2) {
    return bn->forward(x.is_cpu() ? x.to(torch::kFloat) : x).relu_();
  }
  {
    torch::NoGradGuard no_grad;
    bn->num_batches_tracked += 1;
  }
  // oneDNN takes bfloat16 activations channels-last without reordering them (batch_norm_relu_channels_last.h).
  // Each convolution answers in its input's layout; the trainer gives the first one channels_last_images(), and
  // any other answer is turned here.
  const auto input = x.scalar_type() == torch::kBFloat16 ? x.contiguous(at::MemoryFormat::ChannelsLast) : x;
  return BatchNormRelu::apply(input, bn->weight, bn->bias, bn->running_mean, bn->running_var, o.eps(), *o.momentum());
}

// A batch channels-last (see training_ops.h).
torch::Tensor channels_last_images(const torch::Tensor& x) {
  if (x.dim() != 4 || x.size(1) != 1) return x.contiguous(at::MemoryFormat::ChannelsLast);
  return x.contiguous().view({x.size(0), x.size(2), x.size(3), 1}).permute({0, 3, 1, 2});
}

// DigitNet's 2x2 pooling and dropout (see training_ops.h).
torch::Tensor max_pool_dropout(const torch::Tensor& x, double p, bool training) {
  // Its loops are compiled for AVX2 (simd::available()); other CPUs keep LibTorch's pooling.
  const bool element_type = x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16;
  if (!training || !simd::available() || !x.is_cpu() || !element_type || x.dim() != 4 || x.size(2) < 2 ||
      x.size(3) < 2) {
    return fast_dropout(torch::max_pool2d(x, /*kernel_size=*/2), p, training);
  }
  return MaxPoolDropout::apply(x, p);
}

}  // namespace digitlab
