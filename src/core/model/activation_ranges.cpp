#include "model/activation_ranges.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace digitlab {
namespace {

/// Images run at a time: bounds the memory of the largest activation (32 x 28 x 28 floats each).
constexpr int64_t kBatch = 250;

namespace F = torch::nn::functional;

void check_images(const ModelSpec& spec, const torch::Tensor& images) {
  const bool shaped = images.dim() == 4 && images.size(1) == 1 && images.size(2) == spec.input_side &&
                      images.size(3) == spec.input_side;
  if (!shaped || images.size(0) == 0) {
    throw std::invalid_argument("calibration needs images N x 1 x " + std::to_string(spec.input_side) + " x " +
                                std::to_string(spec.input_side) + " with N >= 1, got " + c10::str(images.sizes()));
  }
}

/// Raises each range to this batch's largest value of the activation it follows.
void calibrate_batch(const FoldedWeights& w, torch::Tensor x, ActivationRanges& r) {
  const auto raise = [](float& range, const torch::Tensor& t) { range = std::max(range, t.max().item<float>()); };
  x = (x - w.spec.mean) / w.spec.std;
  for (int i = 0; i < w.spec.conv_count(); ++i) {
    x = torch::relu(F::conv2d(x, w.conv_weight[i], F::Conv2dFuncOptions().bias(w.conv_bias[i]).padding(1)));
    raise(r.conv[i], x);
    if (w.spec.ends_block(i)) x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
  }
  x = x.flatten(1);
  for (size_t i = 0; i < r.hidden.size(); ++i) {
    x = torch::relu(F::linear(x, w.dense_weight[i], w.dense_bias[i]));
    raise(r.hidden[i], x);
  }
}

}  // namespace

ActivationRanges calibrate_activations(const FoldedWeights& w, const torch::Tensor& images) {
  check_images(w.spec, images);
  torch::NoGradGuard no_grad;
  ActivationRanges r;
  r.conv.assign(static_cast<size_t>(w.spec.conv_count()), 0.0f);
  r.hidden.assign(w.spec.hidden.size(), 0.0f);
  const auto x = images.to(torch::kCPU, torch::kFloat);
  for (int64_t begin = 0; begin < x.size(0); begin += kBatch) {
    calibrate_batch(w, x.slice(0, begin, std::min(begin + kBatch, x.size(0))), r);
  }
  return r;
}

}  // namespace digitlab
