#pragma once
// Fast inference with any TorchScript digit model that follows DigitLab's contract
// (N x 1 x 28 x 28 float in [0,1], white digit on black -> N x 10 probabilities), including
// models trained in Python. Torch-free header, so GUI code can include it.
//
//   digitlab::Predictor predictor("models/digitnet.pt");
//   std::vector<float> pixels(28 * 28);              // the preprocessed digit
//   digitlab::Prediction p = predictor.predict(pixels);
//   std::printf("%d (%.1f%%)\n", p.digit, p.confidence() * 100);
//
// predict() may be called from several threads at once (e.g. the GUI thread while a training
// thread runs); loading checks the contract once with a probe batch. A DigitNet written by
// DigitLab runs on a fast path with the same probabilities (within 1e-5) as its TorchScript.

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace digitlab {

/// Pixels in one model input (28 x 28).
constexpr size_t kInputPixels = 28 * 28;

/// Below this probability a prediction is shown as unsure (CLI and app alike).
constexpr float kUnsureBelow = 0.6f;

/// The model's answer for one image.
struct Prediction {
  int digit = -1;                          ///< The most probable digit.
  std::array<float, 10> probabilities{};   ///< Per digit, summing to 1.
  std::array<int, 3> top3{};               ///< The three most probable digits, best first.
  /// Probability of the predicted digit.
  float confidence() const { return digit < 0 ? 0.0f : probabilities[static_cast<size_t>(digit)]; }
};

/// The k most probable digits of a prediction, best first (k clamped to 1..10).
std::vector<int> top_digits(const Prediction& prediction, int k);

/// Loads a TorchScript digit model once and predicts single images or batches.
class Predictor {
 public:
  /// Loads path onto device ("cpu" or "cuda"), checks the contract with a probe, freezes the module
  /// and optimizes it for inference. Throws std::runtime_error naming the file on any failure.
  explicit Predictor(const std::filesystem::path& path, const std::string& device = "cpu");
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  /// Predicts one image: kInputPixels floats in [0,1], row-major, white digit on black.
  /// Throws std::invalid_argument for a wrong pixel count.
  Prediction predict(const std::vector<float>& image) const;
  /// Predicts count images stored one after another (count * kInputPixels floats) in one batch.
  std::vector<Prediction> predict_batch(const std::vector<float>& images, size_t count) const;

  /// The model file.
  const std::filesystem::path& path() const;
  /// The model card stored in the file ("{}" when it has none).
  const std::string& model_card_json() const;
  /// Test accuracy from the model card, or a negative value when unknown.
  double test_accuracy() const;
  /// True when predictions run on the built-in DigitNet fast path (batch norms folded, Winograd
  /// AVX2 kernels, no TorchScript interpreter): DigitLab's own models on a CPU with AVX2 and FMA.
  /// Other models run through the frozen, optimized TorchScript module.
  bool uses_fast_path() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace digitlab
