#include <digitlab/predictor.h>

#include <digitlab/torchscript.h>

#include "infer/folded_digit_net.h"
#include "native/native_model.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace digitlab {
namespace {

Prediction to_prediction(const float* probs, const std::vector<std::string>& names) {
  Prediction p;
  p.probabilities.assign(probs, probs + names.size());
  p.label = top_classes(p, 1).front();
  p.name = names[static_cast<size_t>(p.label)];
  return p;
}

}  // namespace

std::vector<int> top_classes(const Prediction& prediction, int k) {
  const int classes = static_cast<int>(prediction.probabilities.size());
  if (classes == 0) return {};
  std::vector<int> order(static_cast<size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return prediction.probabilities[a] > prediction.probabilities[b]; });
  order.resize(static_cast<size_t>(std::clamp(k, 1, classes)));
  return order;
}

class Predictor::Impl {
 public:
  Impl(const std::filesystem::path& path, const std::string& device_name, bool trusted)
      : path_(path), device_(device_name) {
    // DigitLab's own models on the CPU are read as data and run on DigitLab's kernels: LibTorch never opens them.
    if (device_.is_cpu()) native_ = NativeModel::open(path);
    if (native_) {
      card_ = native_->card_json();
      test_accuracy_ = native_->test_accuracy().value_or(-1.0);
      classes_ = native_->num_classes();
      names_ = native_->class_names();
      return;
    }
    LoadedModel loaded = load_torchscript(path, device_, trusted);
    card_ = loaded.model_card_json;
    test_accuracy_ = loaded.test_accuracy.value_or(-1.0);
    classes_ = loaded.num_classes;
    names_ = loaded.class_names;
    // DigitLab's own DigitNet runs on the folded fast path; any other model through TorchScript.
    fast_path_note_ = "the fast path runs on the CPU only";
    if (device_.is_cpu()) folded_ = FoldedDigitNet::from_model(loaded, &fast_path_note_);
    if (folded_) fast_path_note_.clear();
    if (folded_) return;
    try {
      auto frozen = torch::jit::freeze(loaded.module);
      module_ = torch::jit::optimize_for_inference(frozen);
    } catch (const std::exception& e) {
      throw std::runtime_error(path.string() +
                               ": cannot prepare the model for inference: " + std::string(e.what()).substr(0, 200));
    }
  }

  std::vector<Prediction> run(const float* pixels, size_t count) const {
    std::vector<Prediction> out;
    out.reserve(count);
    if (native_) {
      std::vector<float> probs(count * static_cast<size_t>(classes_));
      native_->network().probabilities(pixels, static_cast<int64_t>(count), at::get_num_threads(), probs.data());
      for (size_t i = 0; i < count; ++i) out.push_back(to_prediction(probs.data() + i * classes_, names_));
      return out;
    }
    c10::InferenceMode inference;
    auto input = torch::from_blob(const_cast<float*>(pixels), {static_cast<int64_t>(count), 1, kInputSide, kInputSide},
                                  torch::kFloat);
    torch::Tensor probs;
    if (folded_) {
      probs = folded_->probabilities(input);
    } else {
      if (!device_.is_cpu()) input = input.to(device_);
      // Module::forward is const-incorrect in LibTorch; the frozen module holds no mutable state.
      auto& module = const_cast<torch::jit::Module&>(module_);
      const c10::IValue result = module.forward({input});
      if (!result.isTensor()) {
        throw std::runtime_error(path_.string() + ": the model returned " + result.tagKind() + ", expected a tensor");
      }
      probs = result.toTensor().to(torch::kCPU, torch::kFloat).contiguous();
      check_probabilities(probs, static_cast<int64_t>(count), classes_, path_);
    }
    const float* data = probs.data_ptr<float>();
    for (size_t i = 0; i < count; ++i) out.push_back(to_prediction(data + i * classes_, names_));
    return out;
  }

  std::filesystem::path path_;
  torch::Device device_;
  std::optional<NativeModel> native_;     ///< Set for DigitLab's DigitNet file on the CPU: LibTorch is not used.
  std::optional<FoldedDigitNet> folded_;  ///< Set for a DigitNet LibTorch loaded (e.g. without a card), on the CPU.
  torch::jit::Module module_;             ///< Frozen and optimized, for every other model.
  std::string card_;
  double test_accuracy_ = -1;
  int64_t classes_ = 0;
  std::vector<std::string> names_;
  std::string fast_path_note_;
};

Predictor::Predictor(const std::filesystem::path& path, const std::string& device, bool trusted)
    : impl_(std::make_unique<Impl>(path, device, trusted)) {}
Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;

Prediction Predictor::predict(const std::vector<float>& image) const {
  if (image.size() != kInputPixels) {
    throw std::invalid_argument("predict: expected " + std::to_string(kInputPixels) + " pixels (" +
                                std::to_string(kInputSide) + " x " + std::to_string(kInputSide) + "), got " +
                                std::to_string(image.size()));
  }
  return impl_->run(image.data(), 1).front();
}

std::vector<Prediction> Predictor::predict_batch(const std::vector<float>& images, size_t count) const {
  if (images.size() != count * kInputPixels) {
    throw std::invalid_argument("predict_batch: expected " + std::to_string(count) + " x " +
                                std::to_string(kInputPixels) + " pixels, got " + std::to_string(images.size()));
  }
  if (count == 0) return {};
  return impl_->run(images.data(), count);
}

const std::filesystem::path& Predictor::path() const { return impl_->path_; }
const std::string& Predictor::model_card_json() const { return impl_->card_; }
double Predictor::test_accuracy() const { return impl_->test_accuracy_; }
bool Predictor::uses_fast_path() const { return impl_->native_.has_value() || impl_->folded_.has_value(); }
const std::string& Predictor::fast_path_note() const { return impl_->fast_path_note_; }
int Predictor::num_classes() const { return static_cast<int>(impl_->classes_); }
const std::vector<std::string>& Predictor::class_names() const { return impl_->names_; }

}  // namespace digitlab
