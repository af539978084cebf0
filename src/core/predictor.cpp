#include <digitlab/predictor.h>

#include <digitlab/torchscript.h>

#include "folded_digit_net.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace digitlab {
namespace {

Prediction to_prediction(const float* probs) {
  Prediction p;
  std::copy(probs, probs + kNumClasses, p.probabilities.begin());
  const auto top = top_digits(p, 3);
  std::copy(top.begin(), top.end(), p.top3.begin());
  p.digit = p.top3[0];
  return p;
}

}  // namespace

std::vector<int> top_digits(const Prediction& prediction, int k) {
  std::vector<int> order(10);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return prediction.probabilities[a] > prediction.probabilities[b]; });
  order.resize(static_cast<size_t>(std::clamp(k, 1, 10)));
  return order;
}

class Predictor::Impl {
 public:
  Impl(const std::filesystem::path& path, const std::string& device_name)
      : path_(path), device_(device_name) {
    LoadedModel loaded = load_torchscript(path, device_);
    card_ = loaded.model_card_json;
    test_accuracy_ = loaded.test_accuracy.value_or(-1.0);
    // DigitLab's own DigitNet runs on the folded fast path; any other model through TorchScript.
    if (device_.is_cpu()) folded_ = FoldedDigitNet::from_model(loaded);
    if (folded_) return;
    try {
      auto frozen = torch::jit::freeze(loaded.module);
      module_ = torch::jit::optimize_for_inference(frozen);
    } catch (const std::exception& e) {
      throw std::runtime_error(path.string() + ": cannot prepare the model for inference: " +
                               std::string(e.what()).substr(0, 200));
    }
  }

  std::vector<Prediction> run(const float* pixels, size_t count) const {
    c10::InferenceMode inference;
    auto input = torch::from_blob(const_cast<float*>(pixels),
                                  {static_cast<int64_t>(count), 1, kImageSize, kImageSize}, torch::kFloat);
    torch::Tensor probs;
    if (folded_) {
      probs = folded_->probabilities(input);
    } else {
      if (!device_.is_cpu()) input = input.to(device_);
      // Module::forward is const-incorrect in LibTorch; the frozen module holds no mutable state.
      auto& module = const_cast<torch::jit::Module&>(module_);
      probs = module.forward({input}).toTensor().to(torch::kCPU, torch::kFloat).contiguous();
    }
    std::vector<Prediction> out;
    out.reserve(count);
    const float* data = probs.data_ptr<float>();
    for (size_t i = 0; i < count; ++i) out.push_back(to_prediction(data + i * kNumClasses));
    return out;
  }

  std::filesystem::path path_;
  torch::Device device_;
  std::optional<FoldedDigitNet> folded_;  ///< Set for DigitLab's DigitNet on the CPU.
  torch::jit::Module module_;              ///< Frozen and optimized, for every other model.
  std::string card_;
  double test_accuracy_ = -1;
};

Predictor::Predictor(const std::filesystem::path& path, const std::string& device)
    : impl_(std::make_unique<Impl>(path, device)) {}
Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;

Prediction Predictor::predict(const std::vector<float>& image) const {
  if (image.size() != kInputPixels) {
    throw std::invalid_argument("predict: expected 784 pixels (28 x 28), got " + std::to_string(image.size()));
  }
  return impl_->run(image.data(), 1).front();
}

std::vector<Prediction> Predictor::predict_batch(const std::vector<float>& images, size_t count) const {
  if (images.size() != count * kInputPixels) {
    throw std::invalid_argument("predict_batch: expected " + std::to_string(count) + " x 784 pixels, got " +
                                std::to_string(images.size()));
  }
  if (count == 0) return {};
  return impl_->run(images.data(), count);
}

const std::filesystem::path& Predictor::path() const { return impl_->path_; }
const std::string& Predictor::model_card_json() const { return impl_->card_; }
double Predictor::test_accuracy() const { return impl_->test_accuracy_; }
bool Predictor::uses_fast_path() const { return impl_->folded_.has_value(); }

}  // namespace digitlab
