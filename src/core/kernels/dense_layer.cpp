#include "kernels/dense_layer.h"

#include "kernels/simd_gemm.h"

#include <algorithm>

namespace digitlab {
namespace {
constexpr int64_t kRowsPerStep = 64;
}  // namespace

DenseLayer::DenseLayer(const float* weight, const float* bias, int in_features, int out_features, bool relu)
    : in_(in_features),
      out_(out_features),
      panels_((out_features + simd::kPanelWidth - 1) / simd::kPanelWidth),
      relu_(relu),
      bias_(bias, bias + out_features) {
  std::vector<float> transposed(static_cast<size_t>(in_) * out_);
  for (int o = 0; o < out_; ++o) {
    for (int i = 0; i < in_; ++i)
      transposed[static_cast<size_t>(i) * out_ + o] = weight[static_cast<size_t>(o) * in_ + i];
  }
  packed_ = simd::pack_panels(transposed.data(), in_, out_);
}

void DenseLayer::run(const float* x, int64_t rows, int64_t begin, int64_t end, float* y) const {
  float block[kRowsPerStep * simd::kPanelWidth];
  for (int64_t p = begin; p < end; ++p) {
    const float* panel = packed_.data() + static_cast<size_t>(p) * in_ * simd::kPanelWidth;
    const int first = static_cast<int>(p) * simd::kPanelWidth;
    const int width = std::min(simd::kPanelWidth, out_ - first);
    for (int64_t r0 = 0; r0 < rows; r0 += kRowsPerStep) {
      const int count = static_cast<int>(std::min(kRowsPerStep, rows - r0));
      simd::multiply_panel(x + r0 * in_, in_, count, panel, in_, block, simd::kPanelWidth);
      for (int r = 0; r < count; ++r) {
        for (int j = 0; j < width; ++j) {
          const float value = block[r * simd::kPanelWidth + j] + bias_[first + j];
          y[(r0 + r) * out_ + first + j] = relu_ && value < 0.0f ? 0.0f : value;
        }
      }
    }
  }
}

}  // namespace digitlab
