#pragma once
// Internal to digitlab_core: the Predictor's fast path for a DigitNet that LibTorch loaded (a file the native reader
// declined to open, e.g. one whose card is missing): the same FoldedNetwork on DigitLab's AVX2 kernels, after
// checking the loaded module's forward and probabilities against it.

#include "native/folded_network.h"

#include <digitlab/torchscript.h>

#include <torch/torch.h>

#include <optional>
#include <string>

namespace digitlab {

/// DigitNet inference with folded batch norms on AVX2 kernels, without the TorchScript interpreter. CPU only.
/// probabilities() may be called from several threads at once.
class FoldedDigitNet {
 public:
  /// The fast path for a loaded model when it is a DigitNet as DigitLab writes it (the same weight names
  /// and shapes, the same forward operations) and reproduces the module's probabilities on a probe batch
  /// within kFoldTolerance; nullopt otherwise, or when the CPU lacks AVX2 and FMA. Then *why_not (when
  /// given) says why, e.g. "the first block has 16 filters; the fast path's kernels need a multiple of 32".
  static std::optional<FoldedDigitNet> from_model(const LoadedModel& model, std::string* why_not = nullptr);

  /// The fast path for a DigitNet in memory (the trainer's best weights, in eval mode): nullopt when the kernels
  /// cannot run its spec, or on a CPU without AVX2 and FMA.
  static std::optional<FoldedDigitNet> from_net(const DigitNet& net);

  /// Empty when the fast path's kernels can run `spec`, else the reason they cannot.
  static std::string unsupported_reason(const ModelSpec& spec) { return FoldedNetwork::unsupported_reason(spec); }

  /// N x C probabilities for N x 1 x 28 x 28 float images in [0,1] on the CPU, on LibTorch's thread count.
  torch::Tensor probabilities(const torch::Tensor& images) const;

  /// Largest difference from the TorchScript module's probabilities the fast path may show.
  static constexpr double kFoldTolerance = 1e-5;

 private:
  explicit FoldedDigitNet(const DigitNet& net);

  FoldedNetwork network_;
};

}  // namespace digitlab
