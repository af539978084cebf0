#pragma once
// The DigitLab CNN as a LibTorch module, built from a ModelSpec (see model_spec.h for the architecture).
//
// To change the network: edit ModelSpec::digits() in model_spec.h. DigitNet, the TorchScript writer, the ONNX
// writer and the Predictor's fast path all loop over the spec, and the spec travels in every model card
// ("architecture"), so older files keep loading. Then:
//   - bump kModelCardVersion (torchscript.h) if the card's fields change;
//   - the fast path (infer/folded_digit_net.cpp) refuses specs its kernels cannot run (it says why) and the
//     Predictor falls back to TorchScript, so nothing breaks, but check uses_fast_path() for speed;
//   - retrain and ship the model (scripts/ship-model.sh) if the default changed.

#include <digitlab/model_spec.h>

#include <torch/torch.h>

#include <vector>

namespace digitlab {

/// The DigitLab CNN. Input: N x 1 x side x side raw pixels in [0,1], white digit on black.
/// Output of forward(): N x num_classes logits; probabilities() applies softmax.
/// Submodules are named conv1..convK, bn1..bnK and fc1..fcM, in the order they run.
class DigitNetImpl : public torch::nn::Module {
 public:
  /// Builds the network `spec` describes; throws std::invalid_argument for an invalid spec.
  explicit DigitNetImpl(ModelSpec spec = ModelSpec::digits());

  /// Logits for a batch of raw [0,1] images.
  torch::Tensor forward(torch::Tensor x);
  /// forward(), also handing out the last convolution's activations (N x C x s x s, after its ReLU, before the
  /// pool) in *last_conv, for Grad-CAM.
  torch::Tensor forward_keeping_last_conv(torch::Tensor x, torch::Tensor* last_conv);
  /// Softmax probabilities for a batch of raw [0,1] images.
  torch::Tensor probabilities(const torch::Tensor& x);
  /// The L2 penalty term added to the training loss.
  torch::Tensor l2_penalty() const;

  /// The description this network was built from.
  const ModelSpec& spec() const { return spec_; }
  /// Layers, exposed for the builders (TorchScript, ONNX, fast path); i is 0-based.
  const torch::nn::Conv2d& conv(int i) const { return convs_.at(static_cast<size_t>(i)); }
  const torch::nn::BatchNorm2d& bn(int i) const { return bns_.at(static_cast<size_t>(i)); }
  const torch::nn::Linear& dense(int i) const { return dense_.at(static_cast<size_t>(i)); }

 private:
  ModelSpec spec_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  std::vector<torch::nn::Linear> dense_;
};
TORCH_MODULE(DigitNet);

/// Number of trainable parameters of a module.
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace digitlab
