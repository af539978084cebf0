#pragma once
// Internal to digitlab_core: the Predictor's fast path for DigitLab's own DigitNet files.
//
// The TorchScript interpreter runs DigitNet one graph node at a time, keeps batch norm and ReLU
// as separate passes over the activations, and sends the dense layers to the BLAS, whose own
// thread pool fights LibTorch's OpenMP threads at batch 1. FoldedDigitNet folds each batch norm
// into its convolution once, at load, and runs the whole network on LibTorch's oneDNN (MKLDNN)
// kernels; a large batch is run in chunks of at most 32 images, so activations stay in cache.

#include <digitlab/torchscript.h>

#include <torch/torch.h>

#include <optional>
#include <vector>

namespace digitlab {

/// DigitNet inference with folded batch norms on oneDNN kernels, without the TorchScript
/// interpreter. CPU only. probabilities() may be called from several threads at once: the
/// weights are never written after construction.
class FoldedDigitNet {
 public:
  /// The fast path for a loaded model when it is a DigitNet as DigitLab writes it (the same weight
  /// names and shapes, the same forward operations) and reproduces the module's probabilities on a
  /// probe batch within kFoldTolerance; nullopt otherwise, or when LibTorch lacks oneDNN.
  static std::optional<FoldedDigitNet> from_model(const LoadedModel& model);

  /// N x 10 probabilities for N x 1 x 28 x 28 float images in [0,1] on the CPU.
  torch::Tensor probabilities(const torch::Tensor& images) const;

  /// Largest difference from the TorchScript module's probabilities the fast path may show.
  static constexpr double kFoldTolerance = 1e-5;

 private:
  explicit FoldedDigitNet(const DigitNet& net);

  /// probabilities() for one chunk.
  torch::Tensor forward_chunk(const torch::Tensor& images) const;

  std::vector<torch::Tensor> conv_weights_;  ///< oneDNN layout, batch norm folded in.
  std::vector<torch::Tensor> conv_biases_;   ///< Dense, batch norm folded in.
  torch::Tensor fc1_weight_, fc1_bias_;
  torch::Tensor fc2_weight_, fc2_bias_;
};

}  // namespace digitlab
