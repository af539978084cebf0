#include <digitlab/predictor.h>

#include "front/engine.h"
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
  Impl(const std::filesystem::path& path, const std::string& device, bool trusted) : path_(path) {
    // DigitLab's own models on the CPU are read as data and run on DigitLab's kernels: LibTorch never opens them.
    if (device == "cpu") native_ = NativeModel::open(path);
    if (native_) {
      card_ = native_->card_json();
      test_accuracy_ = native_->test_accuracy().value_or(-1.0);
      classes_ = native_->num_classes();
      names_ = native_->class_names();
      return;
    }
    backend_ = engine().open_predictor(path, device, trusted);
    card_ = backend_->card;
    test_accuracy_ = backend_->test_accuracy;
    classes_ = backend_->classes;
    names_ = backend_->names;
    fast_path_note_ = backend_->fast_path_note;
  }

  std::vector<Prediction> run(const float* pixels, size_t count) const {
    std::vector<float> probs;
    if (native_) {
      probs.resize(count * static_cast<size_t>(classes_));
      native_->network().probabilities(pixels, static_cast<int64_t>(count), native_threads(), probs.data());
    } else {
      probs = backend_->probabilities(pixels, count);
    }
    std::vector<Prediction> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) out.push_back(to_prediction(probs.data() + i * classes_, names_));
    return out;
  }

  std::filesystem::path path_;
  std::optional<NativeModel> native_;         ///< Set for DigitLab's DigitNet file on the CPU: LibTorch is not used.
  std::unique_ptr<PredictorBackend> backend_;  ///< Every other model, in the LibTorch engine.
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
bool Predictor::uses_fast_path() const { return impl_->native_.has_value() || (impl_->backend_ && impl_->backend_->fast_path); }
const std::string& Predictor::fast_path_note() const { return impl_->fast_path_note_; }
int Predictor::num_classes() const { return static_cast<int>(impl_->classes_); }
const std::vector<std::string>& Predictor::class_names() const { return impl_->names_; }

}  // namespace digitlab
