#pragma once
// Internal to digitlab_core: the network's first layer for the Predictor's fast path. A 3x3 convolution (stride
// 1, padding 1) from one channel of raw pixels to a few channels, with the MNIST normalization applied as the
// pixels are read (so the zero padding is zero after normalization, as in the model) and ReLU.

#include <cstdint>
#include <vector>

namespace digitlab {

/// Output is NHWC floats. Callers check simd::available() first.
class InputConv3x3 {
 public:
  /// weight: out x 1 x 3 x 3 floats in PyTorch's order; bias: out floats; out_channels a multiple of 32. Pixels are
  /// normalized as (x - mean) / std.
  InputConv3x3(const float* weight, const float* bias, int out_channels, float mean, float std);

  /// Parts a call for `images` is cut into: row bands of each image, several per image when there are too
  /// few images for the threads.
  int64_t parts(int64_t images, int threads) const;

  /// Runs parts [begin, end) of the cut parts() made (it must be given the same images and threads).
  /// images: n x height x width; out: n x height x width x out_channels.
  void run(const float* images, int64_t n, int height, int width, int threads, int64_t begin, int64_t end,
           float* out) const;

 private:
  int bands(int64_t images, int threads) const;

  int out_ = 0;
  float mean_ = 0, inv_std_ = 1;
  std::vector<float> weight_;  ///< 9 taps x out.
  std::vector<float> bias_;
};

}  // namespace digitlab
