#pragma once
// Internal to digitlab_core: the Predictor's fast path for DigitLab's own DigitNet files.
//
// The TorchScript interpreter runs DigitNet one graph node at a time through general-purpose kernels:
// direct convolutions, batch norm and ReLU as separate passes, the dense layers on the BLAS. FoldedDigitNet
// folds each batch norm into its convolution once, at load, and runs the network on DigitLab's own AVX2
// kernels: the first convolution directly (one input channel), the other five by Winograd F(2x2, 3x3)
// with ReLU and max pooling fused in (WinogradConv3x3), the dense layers on packed weights (DenseLayer).
// Activations stay channels-last and in cache: a large batch is cut into small chunks, one per thread at a
// time; a small batch is instead split inside each layer, so that one image uses every core.

#include "kernels/dense_layer.h"
#include "kernels/input_conv3x3.h"
#include "kernels/winograd_conv3x3.h"

#include <digitlab/torchscript.h>

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// DigitNet inference with folded batch norms on AVX2 kernels, without the TorchScript interpreter. CPU only.
/// probabilities() may be called from several threads at once: the weights are never written after
/// construction.
struct FoldedWeights;

class FoldedDigitNet {
 public:
  /// The fast path for a loaded model when it is a DigitNet as DigitLab writes it (the same weight names
  /// and shapes, the same forward operations) and reproduces the module's probabilities on a probe batch
  /// within kFoldTolerance; nullopt otherwise, or when the CPU lacks AVX2 and FMA. Then *why_not (when
  /// given) says why, e.g. "the first block has 16 filters; the fast path's kernels need a multiple of 32".
  static std::optional<FoldedDigitNet> from_model(const LoadedModel& model, std::string* why_not = nullptr);

  /// Empty when the fast path's kernels can run `spec`, else the reason they cannot.
  static std::string unsupported_reason(const ModelSpec& spec);

  /// N x C probabilities for N x 1 x 28 x 28 float images in [0,1] on the CPU.
  torch::Tensor probabilities(const torch::Tensor& images) const;

  /// Largest difference from the TorchScript module's probabilities the fast path may show.
  static constexpr double kFoldTolerance = 1e-5;

 private:
  explicit FoldedDigitNet(const DigitNet& net);
  explicit FoldedDigitNet(const FoldedWeights& folded);

  /// Runs `n` images (n x side x side) into `probabilities` (n x C), each layer split over `threads` threads.
  void forward(const float* images, int64_t n, int threads, float* probabilities) const;

  ModelSpec spec_;
  InputConv3x3 conv1_;
  std::vector<WinogradConv3x3> convs_;  ///< Convolutions 2 to K.
  std::vector<DenseLayer> dense_;
};

}  // namespace digitlab
