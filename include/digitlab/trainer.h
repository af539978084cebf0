#pragma once
// Trains a DigitNet (any ModelSpec; DigitLab's digit network by default) on MNIST or any other labelled set
// (dataset.h: Fashion-MNIST, EMNIST, an IDX set, a folder per class). Knows nothing of Qt: progress goes
// to callbacks with plain structs, and a stop flag is checked every batch.
//
//   digitlab::TrainConfig config;
//   config.data_dir = digitlab::default_data_dir();
//   config.out_dir = "runs/first";
//   std::atomic<bool> stop{false};
//   digitlab::TrainCallbacks callbacks;
//   callbacks.on_epoch = [](const digitlab::EpochStats& e) { std::cout << e.val_accuracy << '\n'; };
//   const digitlab::TrainResult result = digitlab::Trainer(config).run(callbacks, &stop);
//
// Default recipe (the one that trained the shipped model): Adam, lr 1e-3 decayed by 0.9 per
// epoch, batch 128, 30 epochs, early stopping after 8 epochs without a better validation
// accuracy (best weights restored), rotation/shift/zoom augmentation, seed 42. The quick recipe
// (train_recipe.h) trains a few epochs with a one-cycle learning rate instead.
//
// On CUDA the whole training step (gather, augmentation, forward, backward, Adam) is captured once in a CUDA
// graph and replayed for every batch (graphed_step.h); TrainConfig::cuda_graph turns that off.

#include <digitlab/confusion_matrix.h>
#include <digitlab/dataset_source.h>
#include <digitlab/model_spec.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace digitlab {

/// How the learning rate moves during a run.
enum class LrSchedule {
  kExponential,  ///< lr * lr_decay^epoch (the default recipe)
  kOneCycle,     ///< per step: up from lr/25 over the first quarter, then a cosine down to lr/10^4
};

/// Everything a training run depends on.
struct TrainConfig {
  int epochs = 30;                 ///< Maximum epochs.
  int batch_size = 128;            ///< Images per optimizer step.
  double lr = 1e-3;                ///< Initial Adam learning rate.
  double lr_decay = 0.9;           ///< Learning rate multiplier applied after every epoch.
  int patience = 8;                ///< Epochs without improvement before stopping early.
  LrSchedule schedule = LrSchedule::kExponential;  ///< kOneCycle ignores lr_decay; lr is then the peak.
  double label_smoothing = 0.0;    ///< Cross-entropy label smoothing in [0, 1).
  bool augment = true;             ///< Random rotation, shift and zoom of training batches.
  double augment_strength = 1.0;   ///< Scales the augmentation ranges (rotation 10 degrees, shift and zoom 10%).
  std::string device = "auto";     ///< "auto", "cpu" or "cuda".
  bool amp = true;                 ///< Mixed precision on CUDA.
  /// bfloat16 autocast on a CPU that computes it natively (AVX512-BF16); ignored on other CPUs and on CUDA.
  bool cpu_bf16 = false;
  bool cuda_graph = true;          ///< On CUDA: replay the whole training step as one CUDA graph.
  bool cudnn_autotune = true;      ///< On CUDA: time cuDNN's algorithms once per shape and keep the fastest.
  int threads = 0;                 ///< LibTorch CPU threads; 0 = all available cores.
  uint64_t seed = 42;              ///< Seeds the validation split, shuffling, augmentation, init.
  std::filesystem::path data_dir;  ///< Folder with the four MNIST files.
  /// What to train on; unset: MNIST in data_dir. The model's classes (count and names) come from the dataset.
  std::optional<DatasetSource> dataset;
  /// Fine-tuning: start from this DigitLab model's weights (same architecture) instead of random ones; when the
  /// dataset has other classes, only the output layer starts afresh.
  std::filesystem::path init_from;
  std::filesystem::path out_dir;  ///< Where the model, checkpoint and metrics.json go.
  /// Use only the first N training images (0: all 60,000). With mnist+folder, the last N: one's own samples come
  /// after MNIST's, so a quick fine-tune keeps them all.
  int64_t limit = 0;
  int64_t test_limit = 0;  ///< Evaluate on the first N test images (0: all 10,000); mnist+folder: last N.
  /// Train each epoch on this many images drawn afresh from the training split (0: all of them).
  int64_t images_per_epoch = 0;
  /// Alongside every batch, this share of extra images that are not one digit (two training digits joined as they
  /// touch or overlap in a handwritten number), taught to be at most 50% sure of any class. The number reader
  /// then cuts such a pair rather than reading it as one digit. 0 turns it off; at most 1.
  double non_digits = 0.0;
  /// Digit shapes many people write and MNIST's writers seldom did: this share of the training images of the class
  /// named "1" get a flag (a stroke down-left from the top of the stem, a quarter to 0.6 of its height), and this
  /// share of those of the class named "4" are replaced by drawn 4s with a small closed top. (An IDX folder without
  /// classes.txt names its classes by index, so its classes 1 and 4 count too.) Validation images are left as
  /// written. Not with keep_answers. 0 turns it off; at most 1.
  double writing_styles = 0.0;
  /// With init_from: the weight of a term that keeps the starting model's answers on the training digits (its
  /// probabilities, as soft targets), so that a fine-tune teaches what it adds without drifting on the digits the
  /// starting model read, its near ties included. The starting model must have the same classes. 0 turns it off.
  double keep_answers = 0.0;
  bool resume = false;     ///< Continue from out_dir/checkpoint.pt.
  std::string command;     ///< The command line, recorded in metrics.json.
  std::string recipe = "default";  ///< The recipe these settings started from (train_recipe.h), for metrics.json.
  ModelSpec model = ModelSpec::digits();  ///< The network to train (a resumed run must keep it); classes from the data.
};

/// Reported after every optimizer step.
struct BatchStats {
  int epoch = 0;  ///< 1-based.
  int epochs = 0;
  int64_t batch = 0;  ///< 1-based within the epoch.
  int64_t batches = 0;
  double loss = 0;  ///< This batch's training loss (cross-entropy + L2, + the non_digits and keep_answers terms).
  double lr = 0;
  double images_per_second = 0;  ///< Throughput since the epoch began.
};

/// Reported after every epoch.
struct EpochStats {
  int epoch = 0;  ///< 1-based.
  int epochs = 0;
  double train_loss = 0;  ///< As BatchStats::loss, averaged over the epoch.
  double train_accuracy = 0;  ///< On the (augmented) training batches, in [0,1].
  double val_loss = 0;
  double val_accuracy = 0;  ///< In [0,1].
  double lr = 0;            ///< Learning rate used during this epoch.
  double seconds = 0;
  double images_per_second = 0;
  bool improved = false;  ///< Best validation accuracy so far; the model was saved.
};

/// Callbacks; any may be empty. They run on the training thread.
struct TrainCallbacks {
  std::function<void(const BatchStats&)> on_batch;
  std::function<void(const EpochStats&)> on_epoch;
  std::function<void(const std::string&)> on_log;
  /// The epochs are over and the run ends with a longer step: "measuring the best model on 10000 test images",
  /// then "saving the model". For a progress display; on_log gets the same lines.
  std::function<void(const std::string&)> on_phase;
};

/// Outcome of Trainer::run().
struct TrainResult {
  bool stopped = false;        ///< The stop flag ended the run.
  bool early_stopped = false;  ///< Patience ran out.
  int epochs_completed = 0;
  int best_epoch = 0;  ///< 0 when no epoch completed (then no model was saved).
  double best_val_accuracy = 0;
  std::optional<double> test_accuracy;  ///< Absent when stopped by the flag.
  ConfusionMatrix confusion;            ///< On the test set; empty when stopped by the flag.
  std::string device;                   ///< Description, e.g. "CPU (2 threads)".
  double wall_seconds = 0;
  std::filesystem::path model_path;    ///< TorchScript, best weights.
  std::filesystem::path metrics_path;  ///< metrics.json
  std::filesystem::path onnx_path;     ///< ONNX twin of model_path; empty when the build has no ONNX
};

/// File names inside TrainConfig::out_dir.
constexpr const char* kModelFileName = "digitnet.pt";
constexpr const char* kOnnxFileName = "digitnet.onnx";
constexpr const char* kCheckpointFileName = "checkpoint.pt";
constexpr const char* kMetricsFileName = "metrics.json";

/// Trains DigitNet; see the usage block at the top of this header.
class Trainer {
 public:
  /// Throws std::runtime_error for invalid settings (epochs, batch size, lr, device...).
  explicit Trainer(TrainConfig config);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// Runs to the end, to early stopping or until *stop becomes true (checked every batch).
  /// Throws std::runtime_error for missing or corrupt data, an unwritable out_dir, a full disk,
  /// or an unusable checkpoint; the best model saved so far stays on disk.
  TrainResult run(const TrainCallbacks& callbacks = {}, const std::atomic<bool>* stop = nullptr);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace digitlab
