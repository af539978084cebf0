#pragma once

#include <torch/torch.h>

#include <array>
#include <string>

namespace digitlab {

/// Mean and standard deviation of MNIST pixels in [0,1]; the model normalizes with them.
constexpr double kMnistMean = 0.1307;
constexpr double kMnistStd = 0.3081;
/// L2 penalty on the weights of the 256-unit dense layer (Keras-style: kDenseL2 * sum(w^2)).
constexpr double kDenseL2 = 1e-4;
/// Side length of the model's square input.
constexpr int64_t kImageSize = 28;
/// Number of classes.
constexpr int64_t kNumClasses = 10;

/// The DigitLab CNN. Input: N x 1 x 28 x 28 raw pixels in [0,1], white digit on black.
/// Output of forward(): N x 10 logits; probabilities() applies softmax.
///
/// Three blocks of [conv3x3 -> BN -> ReLU -> conv3x3 -> BN -> ReLU -> maxpool 2 -> dropout 0.25]
/// with 32, 64 and 128 filters, then dense 256 + ReLU -> dropout 0.5 -> dense 10.
class DigitNetImpl : public torch::nn::Module {
 public:
  /// Number of convolutions (two per block, three blocks).
  static constexpr int kConvCount = 6;
  /// Filters of each convolution.
  static constexpr std::array<int64_t, kConvCount> kFilters = {32, 32, 64, 64, 128, 128};

  DigitNetImpl();

  /// Logits for a batch of raw [0,1] images.
  torch::Tensor forward(torch::Tensor x);
  /// Softmax probabilities for a batch of raw [0,1] images.
  torch::Tensor probabilities(const torch::Tensor& x);
  /// The L2 penalty term added to the training loss.
  torch::Tensor l2_penalty() const;

  /// Layers, exposed for export (TorchScript, ONNX).
  const torch::nn::Conv2d& conv(int i) const { return convs_.at(i); }
  const torch::nn::BatchNorm2d& bn(int i) const { return bns_.at(i); }
  const torch::nn::Linear& fc1() const { return fc1_; }
  const torch::nn::Linear& fc2() const { return fc2_; }

 private:
  std::array<torch::nn::Conv2d, kConvCount> convs_;
  std::array<torch::nn::BatchNorm2d, kConvCount> bns_;
  torch::nn::Linear fc1_;
  torch::nn::Linear fc2_;
};
TORCH_MODULE(DigitNet);

/// Number of trainable parameters of a module.
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace digitlab
