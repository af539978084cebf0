#include "kernels/batch_norm_relu.h"

#include "kernels/bfloat16.h"
#include "kernels/parallel_parts.h"
#include "kernels/simd_gemm.h"

#include <cmath>

namespace digitlab {
namespace {

using simd::Float8;
using simd::kLanes;

DIGITLAB_SIMD_TARGET inline float lane_sum(Float8 v) {
  float total = 0;
  for (int k = 0; k < kLanes; ++k) total += v[k];
  return total;
}

/// Sum of one plane (hw floats), eight lanes at a time; a plane's float sum is exact enough, and the
/// planes are summed in double.
template <typename T>
DIGITLAB_SIMD_TARGET double plane_sum(const T* p, int64_t hw) {
  Float8 acc{};
  int64_t j = 0;
  for (; j + kLanes <= hw; j += kLanes) acc += simd::load8(p + j);
  float rest = 0;
  for (; j < hw; ++j) rest += to_float(p[j]);
  return static_cast<double>(lane_sum(acc)) + rest;
}

/// Sum of (p - m)^2 over one plane.
template <typename T>
DIGITLAB_SIMD_TARGET double plane_squares(const T* p, int64_t hw, float m) {
  Float8 acc{};
  int64_t j = 0;
  for (; j + kLanes <= hw; j += kLanes) {
    const Float8 d = simd::load8(p + j) - m;
    acc += d * d;
  }
  float rest = 0;
  for (; j < hw; ++j) rest += (to_float(p[j]) - m) * (to_float(p[j]) - m);
  return static_cast<double>(lane_sum(acc)) + rest;
}

template <typename T>
DIGITLAB_SIMD_TARGET void normalize_plane(const T* in, int64_t hw, float scale, float shift, T* out) {
  int64_t j = 0;
  for (; j + kLanes <= hw; j += kLanes) simd::store8(out + j, simd::relu8(simd::load8(in + j) * scale + shift));
  for (; j < hw; ++j) {
    const float v = to_float(in[j]) * scale + shift;
    store_as(out + j, v > 0.0f ? v : 0.0f);
  }
}

/// Sums over one plane of the gradient that passes the ReLU (where y > 0), plain and times (x - m).
template <typename T>
DIGITLAB_SIMD_TARGET void plane_grad_sums(const T* g, const T* x, const T* y, int64_t hw, float m,
                                          double& sum_g, double& sum_gx) {
  const Float8 zero{};
  Float8 acc_g{}, acc_gx{};
  int64_t j = 0;
  for (; j + kLanes <= hw; j += kLanes) {
    const Float8 masked = simd::load8(y + j) > zero ? simd::load8(g + j) : zero;
    acc_g += masked;
    acc_gx += masked * (simd::load8(x + j) - m);
  }
  float rest_g = 0, rest_gx = 0;
  for (; j < hw; ++j) {
    const float masked = to_float(y[j]) > 0.0f ? to_float(g[j]) : 0.0f;
    rest_g += masked;
    rest_gx += masked * (to_float(x[j]) - m);
  }
  sum_g += static_cast<double>(lane_sum(acc_g)) + rest_g;
  sum_gx += static_cast<double>(lane_sum(acc_gx)) + rest_gx;
}

/// grad_x = a * masked g + d * (x - m) + b over one plane.
template <typename T>
DIGITLAB_SIMD_TARGET void plane_grad_input(const T* g, const T* x, const T* y, int64_t hw, float m, float a, float b,
                                           float d, T* out) {
  const Float8 zero{};
  int64_t j = 0;
  for (; j + kLanes <= hw; j += kLanes) {
    const Float8 masked = simd::load8(y + j) > zero ? simd::load8(g + j) : zero;
    simd::store8(out + j, a * masked + d * (simd::load8(x + j) - m) + b);
  }
  for (; j < hw; ++j) {
    const float masked = to_float(y[j]) > 0.0f ? to_float(g[j]) : 0.0f;
    store_as(out + j, a * masked + d * (to_float(x[j]) - m) + b);
  }
}

template <typename T>
void forward(const T* x, int64_t n, int64_t channels, int64_t hw, const float* gamma, const float* beta, double eps,
             T* y, float* mean, float* var, int threads) {
  const double count = static_cast<double>(n * hw);
  run_parts(channels, threads, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += plane_sum(x + (i * channels + c) * hw, hw);
      const double m = sum / count;
      double squares = 0;  // a second pass around the mean: no cancellation
      for (int64_t i = 0; i < n; ++i) squares += plane_squares(x + (i * channels + c) * hw, hw, static_cast<float>(m));
      const double v = squares / count;
      mean[c] = static_cast<float>(m);
      var[c] = static_cast<float>(v);
      const double invstd = 1.0 / std::sqrt(v + eps);
      const float scale = static_cast<float>(gamma[c] * invstd);
      const float shift = static_cast<float>(beta[c] - m * gamma[c] * invstd);
      for (int64_t i = 0; i < n; ++i) {
        normalize_plane(x + (i * channels + c) * hw, hw, scale, shift, y + (i * channels + c) * hw);
      }
    }
  });
}

template <typename T>
void backward(const T* grad_y, const T* x, const T* y, int64_t n, int64_t channels, int64_t hw, const float* gamma,
              const float* mean, const float* var, double eps, T* grad_x, float* grad_gamma, float* grad_beta,
              int threads) {
  const double count = static_cast<double>(n * hw);
  run_parts(channels, threads, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const float m = mean[c];
      const double invstd = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
      double sum_g = 0, sum_gx = 0;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t at = (i * channels + c) * hw;
        plane_grad_sums(grad_y + at, x + at, y + at, hw, m, sum_g, sum_gx);
      }
      grad_gamma[c] = static_cast<float>(sum_gx * invstd);
      grad_beta[c] = static_cast<float>(sum_g);
      // dx = gamma * invstd * (g - mean(g) - xhat * mean(g * xhat)), with g the ReLU-masked gradient.
      const double k = gamma[c] * invstd;
      const float a = static_cast<float>(k);
      const float b = static_cast<float>(-k * sum_g / count);
      const float d = static_cast<float>(-k * invstd * invstd * sum_gx / count);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t at = (i * channels + c) * hw;
        plane_grad_input(grad_y + at, x + at, y + at, hw, m, a, b, d, grad_x + at);
      }
    }
  });
}

}  // namespace

void batch_norm_relu_forward(const float* x, int64_t n, int64_t channels, int64_t hw, const float* gamma,
                             const float* beta, double eps, float* y, float* mean, float* var, int threads) {
  forward(x, n, channels, hw, gamma, beta, eps, y, mean, var, threads);
}

void batch_norm_relu_forward(const BFloat16Bits* x, int64_t n, int64_t channels, int64_t hw, const float* gamma,
                             const float* beta, double eps, BFloat16Bits* y, float* mean, float* var, int threads) {
  forward(x, n, channels, hw, gamma, beta, eps, y, mean, var, threads);
}

void batch_norm_relu_backward(const float* grad_y, const float* x, const float* y, int64_t n, int64_t channels,
                              int64_t hw, const float* gamma, const float* mean, const float* var, double eps,
                              float* grad_x, float* grad_gamma, float* grad_beta, int threads) {
  backward(grad_y, x, y, n, channels, hw, gamma, mean, var, eps, grad_x, grad_gamma, grad_beta, threads);
}

void batch_norm_relu_backward(const BFloat16Bits* grad_y, const BFloat16Bits* x, const BFloat16Bits* y, int64_t n,
                              int64_t channels, int64_t hw, const float* gamma, const float* mean, const float* var,
                              double eps, BFloat16Bits* grad_x, float* grad_gamma, float* grad_beta, int threads) {
  backward(grad_y, x, y, n, channels, hw, gamma, mean, var, eps, grad_x, grad_gamma, grad_beta, threads);
}

}  // namespace digitlab
