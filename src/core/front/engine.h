#pragma once
// Internal to digitlab_core: the part of DigitLab that needs LibTorch, behind one interface, in a library of its own
// (libdigitlab_engine.so, src/core/engine) that is loaded the first time something needs it. Loading LibTorch costs
// about half a second (its static initializers and some 280 shared libraries), so the CLI and the app start without
// it: DigitLab's own models run on the native path (src/core/native), and the engine comes in for training, for
// models from elsewhere, for a GPU, for gradient explanations, for eval and export.

#include <digitlab/confusion_matrix.h>
#include <digitlab/dataset.h>
#include <digitlab/explainer.h>
#include <digitlab/model_files.h>
#include <digitlab/predictor.h>
#include <digitlab/trainer.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// A model LibTorch runs (a foreign model, a GPU, a CPU without AVX2).
class PredictorBackend {
 public:
  virtual ~PredictorBackend() = default;
  /// count x classes probabilities for count 28x28 images; throws std::runtime_error naming the model when its output
  /// is not that.
  virtual std::vector<float> probabilities(const float* pixels, size_t count) const = 0;

  std::string card = "{}";
  double test_accuracy = -1;
  int64_t classes = 0;
  std::vector<std::string> names;
  bool fast_path = false;
  std::string fast_path_note;
};

/// The gradient explanations of a DigitNet (see explain/gradient_explainer.h).
class GradientBackend {
 public:
  virtual ~GradientBackend() = default;
  virtual std::vector<float> smoothgrad(const std::vector<float>& input, int target, int versus) const = 0;
  virtual std::vector<float> gradcam(const std::vector<float>& input, int target, int versus) const = 0;
};

/// A training run (see Trainer).
class TrainerBackend {
 public:
  virtual ~TrainerBackend() = default;
  virtual TrainResult run(const TrainCallbacks& callbacks, const std::atomic<bool>* stop) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  /// Loads `path` with LibTorch (judged safe first unless `trusted`; see model_safety.h). Throws what Predictor's
  /// constructor documents.
  virtual std::unique_ptr<PredictorBackend> open_predictor(const std::filesystem::path& path, const std::string& device,
                                                           bool trusted) const = 0;
  /// Throws std::runtime_error for invalid settings.
  virtual std::unique_ptr<TrainerBackend> make_trainer(TrainConfig config) const = 0;
  /// The gradient explainer of `predictor`'s model, or nullptr with *why_not set when it has none.
  virtual std::unique_ptr<GradientBackend> gradient_explainer(const Predictor& predictor,
                                                              std::string* why_not) const = 0;
  /// Evaluates the model in `path` on `data`'s test set (its first `limit` images; 0: all).
  virtual ModelEvaluation evaluate_model_file(const std::filesystem::path& path, const std::string& device,
                                              bool trusted, const Dataset& data, int64_t limit) const = 0;
  /// Writes the ONNX twin of DigitLab's model in `path`: float, or int8 calibrated on the first `count` images of
  /// `calibration` when given.
  virtual ModelExport export_model_file(const std::filesystem::path& path, bool trusted,
                                        const std::filesystem::path& onnx, const IdxDataset* calibration,
                                        int64_t count) const = 0;

  /// LibTorch's thread count (and the engine's record of it, see remember_threads()).
  virtual void set_threads(int threads) const = 0;
  virtual bool cuda_available() const = 0;
  /// The GPU's name, or empty.
  virtual std::string cuda_device_name() const = 0;
};

/// The engine, loaded on first use (thread-safe). Throws std::runtime_error saying where it looked when it cannot be
/// loaded.
const Engine& engine();

/// True once engine() has loaded it in this process.
bool engine_loaded();

/// True when LibTorch is in this process already: the engine is loaded, or the program links it (the test suites,
/// the benchmarks), so that engine() costs nothing.
bool engine_linked_in();

/// Makes engine() answer with `e` without loading a library: the engine calls it for its own copy of this code.
void provide_engine(const Engine* e);

/// The threads DigitLab's own kernels use (configure_threads() sets them; one per core until then).
int native_threads();

/// Records `threads` as the count native_threads() and describe_device() give, without passing it on to the engine:
/// the engine calls it from set_threads(), so that its own copy of this code agrees with the program's.
void remember_threads(int threads);

}  // namespace digitlab

/// The engine library's one entry point.
extern "C" const digitlab::Engine* digitlab_engine_v1();
