#include "kernels/input_conv3x3.h"

#include "kernels/simd_gemm.h"

#include <algorithm>
#include <stdexcept>

namespace digitlab {
namespace {
constexpr int kGroup = 32;  // output channels computed together
constexpr int kBandsPerImage = 4;
}  // namespace

InputConv3x3::InputConv3x3(const float* weight, const float* bias, int out_channels, float mean, float std)
    : out_(out_channels),
      mean_(mean),
      inv_std_(1.0f / std),
      weight_(9 * out_channels),
      bias_(bias, bias + out_channels) {
  if (out_ % kGroup != 0) {
    throw std::invalid_argument("InputConv3x3: out_channels must be a multiple of 32");
  }
  for (int o = 0; o < out_; ++o) {
    for (int tap = 0; tap < 9; ++tap) weight_[tap * out_ + o] = weight[o * 9 + tap];
  }
}

int InputConv3x3::bands(int64_t images, int threads) const {
  return threads > 1 && images < 2 * threads ? kBandsPerImage : 1;
}

int64_t InputConv3x3::parts(int64_t images, int threads) const { return images * bands(images, threads); }

DIGITLAB_SIMD_TARGET void InputConv3x3::run(const float* images, int64_t n, int height, int width, int threads,
                                            int64_t begin, int64_t end, float* out) const {
  using simd::Float8;
  const int band_count = bands(n, threads);
  const int padded_width = width + 2;
  std::vector<float> padded;
  for (int64_t part = begin; part < end; ++part) {
    const int64_t image = part / band_count;
    const int band = static_cast<int>(part % band_count);
    const int y_begin = height * band / band_count, y_end = height * (band + 1) / band_count;
    const float* pixels = images + image * height * width;
    // The band's rows and the row above and below, normalized, with a zero border (zero after
    // normalization, like the model's padding).
    padded.assign(static_cast<size_t>(y_end - y_begin + 2) * padded_width, 0.0f);
    for (int y = std::max(0, y_begin - 1); y < std::min(height, y_end + 1); ++y) {
      float* row = padded.data() + static_cast<size_t>(y - y_begin + 1) * padded_width + 1;
      for (int x = 0; x < width; ++x) row[x] = (pixels[y * width + x] - mean_) * inv_std_;
    }
    for (int oy = y_begin; oy < y_end; ++oy) {
      const float* top = padded.data() + static_cast<size_t>(oy - y_begin) * padded_width;
      for (int ox = 0; ox < width; ++ox) {
        float* dst = out + ((image * height + oy) * width + ox) * out_;
        // 32 channels at a time in four named accumulators (an array would live on the stack).
        for (int c = 0; c < out_; c += kGroup) {
          Float8 a0 = simd::load8(bias_.data() + c), a1 = simd::load8(bias_.data() + c + 8),
                 a2 = simd::load8(bias_.data() + c + 16), a3 = simd::load8(bias_.data() + c + 24);
          for (int tap = 0; tap < 9; ++tap) {
            const float value = top[(tap / 3) * padded_width + ox + tap % 3];
            const float* w = weight_.data() + tap * out_ + c;
            a0 += value * simd::load8(w);
            a1 += value * simd::load8(w + 8);
            a2 += value * simd::load8(w + 16);
            a3 += value * simd::load8(w + 24);
          }
          simd::store8(dst + c, simd::relu8(a0));
          simd::store8(dst + c + 8, simd::relu8(a1));
          simd::store8(dst + c + 16, simd::relu8(a2));
          simd::store8(dst + c + 24, simd::relu8(a3));
        }
      }
    }
  }
}

}  // namespace digitlab
