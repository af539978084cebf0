#pragma once
// Internal to digitlab_core: DigitNet inference on DigitLab's own AVX2 kernels, from folded weights, without LibTorch.
//
// Each batch norm is folded into its convolution once (FoldedArrays); the network runs the first convolution
// directly (one input channel), the other five by Winograd F(2x2, 3x3) with ReLU and max pooling fused in
// (WinogradConv3x3), the dense layers on packed weights (DenseLayer). Activations stay channels-last and in cache: a
// large batch is cut into small chunks, one per thread at a time; a small batch is instead split inside each layer,
// so that one image uses every core.

#include "kernels/dense_layer.h"
#include "kernels/input_conv3x3.h"
#include "kernels/winograd_conv3x3.h"
#include "native/folded_arrays.h"

#include <string>
#include <vector>

namespace digitlab {

/// probabilities() may be called from several threads at once: the weights are never written after construction.
class FoldedNetwork {
 public:
  /// Empty when the kernels can run `spec` on this CPU, else why not ("this CPU lacks AVX2 and FMA", "the first
  /// block has 16 filters; the fast path's first layer needs a multiple of 32").
  static std::string unsupported_reason(const ModelSpec& spec);

  /// Requires unsupported_reason(folded.spec) to be empty.
  explicit FoldedNetwork(const FoldedArrays& folded);

  /// N x C probabilities for N side x side float images in [0,1], on `threads` threads.
  void probabilities(const float* images, int64_t n, int threads, float* probabilities) const;

  const ModelSpec& spec() const { return spec_; }

 private:
  /// Runs `n` images into `probabilities` (n x C), each layer split over `threads` threads.
  void forward(const float* images, int64_t n, int threads, float* probabilities) const;

  ModelSpec spec_;
  InputConv3x3 conv1_;
  std::vector<WinogradConv3x3> convs_;  ///< Convolutions 2 to K.
  std::vector<DenseLayer> dense_;
};

}  // namespace digitlab
