#include "explain/gradient_explainer.h"

#include <digitlab/torchscript.h>

#include <random>
#include <utility>

namespace digitlab {
namespace {

/// Largest difference from the Predictor's probabilities the rebuilt network may show on the probe.
constexpr double kAgreement = 1e-4;

torch::Tensor to_tensor(const std::vector<float>& input) {
  if (input.size() != kInputPixels) {
    throw std::invalid_argument("explain: expected " + std::to_string(kInputPixels) + " pixels, got " +
                                std::to_string(input.size()));
  }
  return torch::from_blob(const_cast<float*>(input.data()), {1, 1, kInputSide, kInputSide}, torch::kFloat).clone();
}

std::vector<float> to_vector(const torch::Tensor& map) {
  const auto m = map.detach().to(torch::kFloat).contiguous();
  return std::vector<float>(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
}

/// Per row of logits: logit(target) - logit(versus), i.e. log p(target) - log p(versus); or, when versus < 0, the
/// target's log-odds, log p(target) - log(1 - p(target)).
torch::Tensor score(const torch::Tensor& logits, int target, int versus) {
  const auto chosen = logits.select(/*dim=*/1, target);
  if (versus >= 0) return chosen - logits.select(/*dim=*/1, versus);
  const int64_t classes = logits.size(1);
  const auto others =
      torch::cat({logits.narrow(/*dim=*/1, 0, target), logits.narrow(/*dim=*/1, target + 1, classes - target - 1)},
                 /*dim=*/1);
  return chosen - torch::logsumexp(others, /*dim=*/1);
}

/// A fixed batch of varied images (smooth ramps and stripes) in [0,1], and an MNIST-like stroke.
torch::Tensor probe_images() {
  const auto t = torch::linspace(0, 1, 4 * kInputPixels).reshape({4, 1, kInputSide, kInputSide});
  auto stroke = torch::zeros({1, 1, kInputSide, kInputSide});
  stroke.narrow(2, 6, 16).narrow(3, 12, 3).fill_(1.0);
  return torch::cat({(t * 37.0).sin().abs(), stroke});
}

/// True when `net` gives the Predictor's probabilities on the probe batch.
bool gives_predictor_answers(DigitNet& net, const Predictor& predictor) {
  torch::NoGradGuard no_grad;
  const auto probe = probe_images().contiguous();
  const std::vector<float> pixels(probe.data_ptr<float>(), probe.data_ptr<float>() + probe.numel());
  const auto answers = predictor.predict_batch(pixels, static_cast<size_t>(probe.size(0)));
  const auto ours = net->probabilities(probe);
  if (ours.size(1) != predictor.num_classes()) return false;
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto theirs = torch::tensor(answers[i].probabilities);
    if (!((ours[static_cast<int64_t>(i)] - theirs).abs().max().item<double>() <= kAgreement)) return false;
  }
  return true;
}

/// kSmoothGradSamples x 1 x 28 x 28 Gaussian noise from a fixed seed: the same input always gets the same map.
torch::Tensor smoothgrad_noise() {
  std::mt19937 generator(/*seed=*/14);
  std::normal_distribution<float> normal(0.0f, GradientExplainer::kSmoothGradSigma);
  auto noise = torch::empty({GradientExplainer::kSmoothGradSamples, 1, kInputSide, kInputSide});
  float* data = noise.data_ptr<float>();
  for (int64_t i = 0; i < noise.numel(); ++i) data[i] = normal(generator);
  return noise;
}

}  // namespace

std::optional<GradientExplainer> GradientExplainer::from_predictor(const Predictor& predictor, std::string* why_not) {
  try {
    // Re-read the file the Predictor loaded: its fast path keeps folded weights only, and a foreign model has none.
    DigitNet net = to_digitnet(load_torchscript(predictor.path()), predictor.path());
    net->eval();
    for (auto& parameter : net->parameters()) parameter.requires_grad_(false);
    if (!gives_predictor_answers(net, predictor)) {
      *why_not = "the model's DigitNet does not reproduce its answers";
      return std::nullopt;
    }
    return GradientExplainer(std::move(net));
  } catch (const std::exception& e) {
    const std::string what = e.what();
    *why_not = what.substr(0, what.find('\n'));
    return std::nullopt;
  }
}

GradientExplainer::GradientExplainer(DigitNet net) : net_(std::move(net)), noise_(smoothgrad_noise()) {}

std::vector<float> GradientExplainer::smoothgrad(const std::vector<float>& input, int target, int versus) const {
  torch::AutoGradMode grad_mode(true);
  const auto x = to_tensor(input);
  const auto noisy = (x + noise_).requires_grad_();
  const auto total = score(net_.ptr()->forward(noisy), target, versus).sum();
  const auto gradient = torch::autograd::grad({total}, {noisy})[0].mean(/*dim=*/0, /*keepdim=*/true);
  return to_vector(gradient * x);
}

GradientExplainer::CamPass GradientExplainer::cam_pass(const std::vector<float>& input, int target, int versus) const {
  torch::AutoGradMode grad_mode(true);
  const auto x = to_tensor(input).requires_grad_();
  torch::Tensor features;
  const auto total = score(net_.ptr()->forward_keeping_last_conv(x, &features), target, versus).sum();
  const auto gradients = torch::autograd::grad({total}, {features, x});
  // Grad-CAM: each channel weighted by its mean gradient, summed, rectified, upsampled to the input.
  const auto weights = gradients[0].mean({2, 3}, /*keepdim=*/true);
  const auto cam = torch::relu((weights * features).sum(/*dim=*/1, /*keepdim=*/true));
  namespace F = torch::nn::functional;
  const auto upsampled = F::interpolate(cam, F::InterpolateFuncOptions()
                                                 .size(std::vector<int64_t>{kInputSide, kInputSide})
                                                 .mode(torch::kBilinear)
                                                 .align_corners(false));
  return {upsampled.detach(), (gradients[1] * x).detach()};
}

std::vector<float> GradientExplainer::gradcam(const std::vector<float>& input, int target, int versus) const {
  const CamPass pass = cam_pass(input, target, versus);
  return to_vector(pass.cam * pass.gradient_x_input);
}

std::vector<float> GradientExplainer::gradcam_coarse(const std::vector<float>& input, int target, int versus) const {
  return to_vector(cam_pass(input, target, versus).cam);
}

}  // namespace digitlab
