#include "kernels/batch_norm_relu_channels_last.h"

#include "kernels/parallel_parts.h"
#include "kernels/simd_gemm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace digitlab {
namespace {

using simd::Float8;
using simd::kLanes;

/// Rows are summed in chunks of this many, in float, and the chunks in double. Fixed, so that the sums do not
/// depend on how the chunks are shared out.
constexpr int64_t kRowsPerChunk = 64;

int64_t chunk_count(int64_t rows) { return (rows + kRowsPerChunk - 1) / kRowsPerChunk; }

/// Per-channel sums over rows, in double: `chunks` partial sums summed in chunk order.
class ChannelSums {
 public:
  ChannelSums(int64_t rows, int64_t channels)
      : channels_(channels), chunks_(chunk_count(rows)),
        partial_(static_cast<size_t>(std::max<int64_t>(chunks_, 1) * channels), 0.0) {}

  double* chunk(int64_t k) { return partial_.data() + k * channels_; }

  /// out[c] = the sum over chunks of chunk(k)[c], as double.
  void total(double* out) const {
    std::fill(out, out + channels_, 0.0);
    for (int64_t k = 0; k < chunks_; ++k) {
      for (int64_t c = 0; c < channels_; ++c) out[c] += partial_[static_cast<size_t>(k * channels_ + c)];
    }
  }

 private:
  int64_t channels_;
  int64_t chunks_;
  std::vector<double> partial_;
};

/// Runs fn(first_row, row_count, chunk) for each chunk of rows, the chunks shared out over threads.
template <typename Fn>
void for_each_chunk(int64_t rows, int threads, Fn fn) {
  run_parts(chunk_count(rows), threads, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t first = k * kRowsPerChunk;
      fn(first, std::min(kRowsPerChunk, rows - first), k);
    }
  });
}

/// sum[c] = the sum over `count` rows of x's channel c (minus m[c], squared, when m is given), in float.
template <typename T>
DIGITLAB_SIMD_TARGET void chunk_sums(const T* x, int64_t count, int64_t channels, const float* m, float* sum) {
  std::fill(sum, sum + channels, 0.0f);
  for (int64_t r = 0; r < count; ++r) {
    const T* row = x + r * channels;
    int64_t c = 0;
    for (; c + kLanes <= channels; c += kLanes) {
      Float8 v = simd::load8(row + c);
      if (m) {
        v -= simd::load8(m + c);
        v *= v;
      }
      simd::store8(sum + c, simd::load8(sum + c) + v);
    }
    for (; c < channels; ++c) {
      const float v = m ? to_float(row[c]) - m[c] : to_float(row[c]);
      sum[c] += m ? v * v : v;
    }
  }
}

/// y = relu(x * scale + shift) per channel over `count` rows.
template <typename T>
DIGITLAB_SIMD_TARGET void normalize_rows(const T* x, int64_t count, int64_t channels, const float* scale,
                                         const float* shift, T* y) {
  for (int64_t r = 0; r < count; ++r) {
    const T* in = x + r * channels;
    T* out = y + r * channels;
    int64_t c = 0;
    for (; c + kLanes <= channels; c += kLanes) {
      simd::store8(out + c, simd::relu8(simd::load8(in + c) * simd::load8(scale + c) + simd::load8(shift + c)));
    }
    for (; c < channels; ++c) {
      const float v = to_float(in[c]) * scale[c] + shift[c];
      store_as(out + c, v > 0.0f ? v : 0.0f);
    }
  }
}

/// Over `count` rows, per channel: sum_g += the gradient that passes the ReLU (y > 0), sum_gx += that times (x - m).
template <typename T>
DIGITLAB_SIMD_TARGET void chunk_grad_sums(const T* g, const T* x, const T* y, int64_t count, int64_t channels,
                                          const float* m, float* sum_g, float* sum_gx) {
  std::fill(sum_g, sum_g + channels, 0.0f);
  std::fill(sum_gx, sum_gx + channels, 0.0f);
  const Float8 zero{};
  for (int64_t r = 0; r < count; ++r) {
    const int64_t at = r * channels;
    int64_t c = 0;
    for (; c + kLanes <= channels; c += kLanes) {
      const Float8 masked = simd::load8(y + at + c) > zero ? simd::load8(g + at + c) : zero;
      simd::store8(sum_g + c, simd::load8(sum_g + c) + masked);
      simd::store8(sum_gx + c, simd::load8(sum_gx + c) + masked * (simd::load8(x + at + c) - simd::load8(m + c)));
    }
    for (; c < channels; ++c) {
      const float masked = to_float(y[at + c]) > 0.0f ? to_float(g[at + c]) : 0.0f;
      sum_g[c] += masked;
      sum_gx[c] += masked * (to_float(x[at + c]) - m[c]);
    }
  }
}

/// grad_x = a * masked g + d * (x - m) + b per channel over `count` rows.
template <typename T>
DIGITLAB_SIMD_TARGET void grad_rows(const T* g, const T* x, const T* y, int64_t count, int64_t channels, const float* m,
                                    const float* a, const float* b, const float* d, T* grad_x) {
  const Float8 zero{};
  for (int64_t r = 0; r < count; ++r) {
    const int64_t at = r * channels;
    int64_t c = 0;
    for (; c + kLanes <= channels; c += kLanes) {
      const Float8 masked = simd::load8(y + at + c) > zero ? simd::load8(g + at + c) : zero;
      simd::store8(grad_x + at + c, simd::load8(a + c) * masked +
                                        simd::load8(d + c) * (simd::load8(x + at + c) - simd::load8(m + c)) +
                                        simd::load8(b + c));
    }
    for (; c < channels; ++c) {
      const float masked = to_float(y[at + c]) > 0.0f ? to_float(g[at + c]) : 0.0f;
      store_as(grad_x + at + c, a[c] * masked + d[c] * (to_float(x[at + c]) - m[c]) + b[c]);
    }
  }
}

/// Sums `fn(first_row, count, chunk_sum)` wrote for every chunk, in double, into out.
template <typename Fn>
void sum_chunks(int64_t rows, int64_t channels, int threads, double* out, Fn fn) {
  ChannelSums sums(rows, channels);
  for_each_chunk(rows, threads, [&](int64_t first, int64_t count, int64_t k) {
    std::vector<float> chunk(static_cast<size_t>(channels));
    fn(first, count, chunk.data());
    std::copy(chunk.begin(), chunk.end(), sums.chunk(k));
  });
  sums.total(out);
}

template <typename T>
void forward(const T* x, int64_t rows, int64_t channels, const float* gamma, const float* beta, double eps, T* y,
             float* mean, float* var, int threads) {
  const double count = static_cast<double>(rows);
  std::vector<double> total(static_cast<size_t>(channels));
  sum_chunks(rows, channels, threads, total.data(), [&](int64_t first, int64_t n, float* sum) {
    chunk_sums(x + first * channels, n, channels, static_cast<const float*>(nullptr), sum);
  });
  for (int64_t c = 0; c < channels; ++c) mean[c] = static_cast<float>(total[static_cast<size_t>(c)] / count);
  // A second pass around the mean: no cancellation.
  sum_chunks(rows, channels, threads, total.data(), [&](int64_t first, int64_t n, float* sum) {
    chunk_sums(x + first * channels, n, channels, mean, sum);
  });
  std::vector<float> scale(static_cast<size_t>(channels)), shift(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const size_t i = static_cast<size_t>(c);
    const double v = total[i] / count;
    var[c] = static_cast<float>(v);
    const double invstd = 1.0 / std::sqrt(v + eps);
    scale[i] = static_cast<float>(gamma[c] * invstd);
    shift[i] = static_cast<float>(beta[c] - static_cast<double>(mean[c]) * gamma[c] * invstd);
  }
  for_each_chunk(rows, threads, [&](int64_t first, int64_t n, int64_t) {
    normalize_rows(x + first * channels, n, channels, scale.data(), shift.data(), y + first * channels);
  });
}

template <typename T>
void backward(const T* grad_y, const T* x, const T* y, int64_t rows, int64_t channels, const float* gamma,
              const float* mean, const float* var, double eps, T* grad_x, float* grad_gamma, float* grad_beta,
              int threads) {
  const double count = static_cast<double>(rows);
  std::vector<double> totals(static_cast<size_t>(2 * channels));
  sum_chunks(rows, 2 * channels, threads, totals.data(), [&](int64_t first, int64_t n, float* sums) {
    const int64_t at = first * channels;
    chunk_grad_sums(grad_y + at, x + at, y + at, n, channels, mean, sums, sums + channels);
  });
  std::vector<float> a(static_cast<size_t>(channels)), b(a.size()), d(a.size());
  for (int64_t c = 0; c < channels; ++c) {
    const size_t i = static_cast<size_t>(c);
    const double sum_g = totals[i], sum_gx = totals[i + static_cast<size_t>(channels)];
    const double invstd = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
    grad_gamma[c] = static_cast<float>(sum_gx * invstd);
    grad_beta[c] = static_cast<float>(sum_g);
    // dx = gamma * invstd * (g - mean(g) - xhat * mean(g * xhat)), with g the ReLU-masked gradient.
    const double k = gamma[c] * invstd;
    a[i] = static_cast<float>(k);
    b[i] = static_cast<float>(-k * sum_g / count);
    d[i] = static_cast<float>(-k * invstd * invstd * sum_gx / count);
  }
  for_each_chunk(rows, threads, [&](int64_t first, int64_t n, int64_t) {
    const int64_t at = first * channels;
    grad_rows(grad_y + at, x + at, y + at, n, channels, mean, a.data(), b.data(), d.data(), grad_x + at);
  });
}

}  // namespace

void batch_norm_relu_forward_channels_last(const float* x, int64_t rows, int64_t channels, const float* gamma,
                                           const float* beta, double eps, float* y, float* mean, float* var,
                                           int threads) {
  forward(x, rows, channels, gamma, beta, eps, y, mean, var, threads);
}

void batch_norm_relu_forward_channels_last(const BFloat16Bits* x, int64_t rows, int64_t channels, const float* gamma,
                                           const float* beta, double eps, BFloat16Bits* y, float* mean, float* var,
                                           int threads) {
  forward(x, rows, channels, gamma, beta, eps, y, mean, var, threads);
}

void batch_norm_relu_backward_channels_last(const float* grad_y, const float* x, const float* y, int64_t rows,
                                            int64_t channels, const float* gamma, const float* mean, const float* var,
                                            double eps, float* grad_x, float* grad_gamma, float* grad_beta,
                                            int threads) {
  backward(grad_y, x, y, rows, channels, gamma, mean, var, eps, grad_x, grad_gamma, grad_beta, threads);
}

void batch_norm_relu_backward_channels_last(const BFloat16Bits* grad_y, const BFloat16Bits* x, const BFloat16Bits* y,
                                            int64_t rows, int64_t channels, const float* gamma, const float* mean,
                                            const float* var, double eps, BFloat16Bits* grad_x, float* grad_gamma,
                                            float* grad_beta, int threads) {
  backward(grad_y, x, y, rows, channels, gamma, mean, var, eps, grad_x, grad_gamma, grad_beta, threads);
}

}  // namespace digitlab
