#pragma once
// Internal to digitlab_explain: the gradient methods (SmoothGrad x input, Grad-CAM x gradient x input) on a LibTorch
// DigitNet rebuilt from one of DigitLab's model files. The Predictor's fast path has no gradients, so the maps come
// from this second copy of the network, which is checked to give the Predictor's answers.

#include <digitlab/digit_net.h>
#include <digitlab/predictor.h>

#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// Saliency maps from input gradients of a DigitNet in eval mode. The maps are of the score
/// log p(target) - log p(versus), or the log-odds of the target when versus is -1. Const methods may run on several
/// threads at once: nothing in the network is written after construction.
class GradientExplainer {
 public:
  /// The explainer for `predictor`'s model when it is a DigitNet that DigitLab wrote and the rebuilt network gives the
  /// Predictor's probabilities (within 1e-4) on a probe batch; nullopt otherwise, with the reason in *why_not.
  static std::optional<GradientExplainer> from_predictor(const Predictor& predictor, std::string* why_not);

  /// SmoothGrad x input: the score's input gradient averaged over kSmoothGradSamples noisy copies of `input`
  /// (Gaussian, kSmoothGradSigma), times `input`. kInputPixels values.
  /// Chosen over Integrated Gradients by the deletion test: on 300 MNIST test images, removing the 10% of ink it
  /// rates highest lowered the predicted class's probability by 0.220 on average, Integrated Gradients' (16 steps
  /// from a black baseline, the same cost: 16 images in one batch) by 0.200, plain gradient x input's by 0.180.
  std::vector<float> smoothgrad(const std::vector<float>& input, int target, int versus) const;
  /// Grad-CAM at the last convolution (ReLU of the gradient-weighted channel sum), upsampled bilinearly to 28x28,
  /// times gradient x input; from one forward and one backward pass.
  std::vector<float> gradcam(const std::vector<float>& input, int target, int versus) const;
  /// Plain Grad-CAM upsampled to 28x28, without the pixel-level factor: for measuring it, not for showing (it fails
  /// the deletion test).
  std::vector<float> gradcam_coarse(const std::vector<float>& input, int target, int versus) const;

  /// Noisy copies averaged by smoothgrad().
  static constexpr int kSmoothGradSamples = 16;
  /// Standard deviation of SmoothGrad's noise, in input units (the input spans [0, 1]).
  static constexpr float kSmoothGradSigma = 0.15f;

 private:
  explicit GradientExplainer(DigitNet net);

  /// One forward and backward pass: the upsampled Grad-CAM and gradient x input, each 1 x 1 x 28 x 28.
  struct CamPass {
    torch::Tensor cam;
    torch::Tensor gradient_x_input;
  };
  CamPass cam_pass(const std::vector<float>& input, int target, int versus) const;

  DigitNet net_;
  torch::Tensor noise_;  ///< SmoothGrad's noise, drawn once from a fixed seed.
};

}  // namespace digitlab
