#pragma once
// Fast inference with any TorchScript model that follows DigitLab's contract
// (N x 1 x 28 x 28 float in [0,1], white ink on black -> N x C probabilities, C >= 2 classes), including
// models trained in Python. Torch-free header, so GUI code can include it.
//
//   digitlab::Predictor predictor("models/digitnet.pt");
//   std::vector<float> pixels(digitlab::kInputPixels);  // the preprocessed digit
//   digitlab::Prediction p = predictor.predict(pixels);
//   std::printf("%d (%.1f%%)\n", p.label, p.confidence() * 100);
//
// predict() may be called from several threads at once (e.g. the GUI thread while a training
// thread runs); loading checks the contract once with a probe batch. A DigitNet written by
// DigitLab runs on a fast path with the same probabilities (within 1e-5) as its TorchScript.

#include <digitlab/model_safety.h>
#include <digitlab/model_spec.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace digitlab {

/// Below this probability a prediction is shown as unsure (CLI and app alike).
constexpr float kUnsureBelow = 0.6f;

/// The model's answer for one image.
struct Prediction {
  int label = -1;                    ///< Index of the most probable class (for digit models, the digit).
  std::vector<float> probabilities;  ///< One per class, summing to 1.
  std::string name;                  ///< The predicted class's name ("7", "A", "Sneaker"); empty when label < 0.
  /// Probability of the predicted class.
  float confidence() const { return label < 0 ? 0.0f : probabilities.at(static_cast<size_t>(label)); }
};

/// The k most probable classes of a prediction, best first; ties keep the lower index first
/// (k clamped to 1..number of classes).
std::vector<int> top_classes(const Prediction& prediction, int k);

/// Loads a TorchScript digit model once and predicts single images or batches.
class Predictor {
 public:
  /// Loads path onto device ("cpu" or "cuda"), checks the contract with a probe, freezes the module
  /// and optimizes it for inference. Nothing in the file runs before it is judged safe (model_safety.h): a model
  /// that could do more than compute is refused with UnsafeModelError unless `trusted` (the user said they trust
  /// its source). Throws std::runtime_error naming the file on any other failure.
  explicit Predictor(const std::filesystem::path& path, const std::string& device = "cpu", bool trusted = false);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  /// Predicts one image: kInputPixels floats in [0,1], row-major, white digit on black.
  /// Throws std::invalid_argument for a wrong pixel count, std::runtime_error naming the model when its output is
  /// not one row of probabilities per image (every call is checked).
  Prediction predict(const std::vector<float>& image) const;
  /// Predicts count images stored one after another (count * kInputPixels floats) in one batch.
  std::vector<Prediction> predict_batch(const std::vector<float>& images, size_t count) const;

  /// The model file.
  const std::filesystem::path& path() const;
  /// The model card stored in the file ("{}" when it has none).
  const std::string& model_card_json() const;
  /// Test accuracy from the model card, or a negative value when unknown.
  double test_accuracy() const;
  /// Number of classes the model tells apart (the length of every Prediction::probabilities).
  int num_classes() const;
  /// The classes' names, num_classes() of them, from the model card ("0".."9" for a digit model without names).
  const std::vector<std::string>& class_names() const;
  /// True when predictions run on the built-in DigitNet fast path (batch norms folded, Winograd
  /// AVX2 kernels, no TorchScript interpreter): DigitLab's own models on a CPU with AVX2 and FMA.
  /// Other models run through the frozen, optimized TorchScript module.
  bool uses_fast_path() const;
  /// Why the fast path does not run this model (e.g. "this CPU lacks AVX2 and FMA"); empty when it does.
  const std::string& fast_path_note() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace digitlab
