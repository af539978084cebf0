#include "train/torch_trainer.h"

#include <digitlab/dataset.h>
#include <digitlab/digit_net.h>
#include <digitlab/evaluator.h>
#include <digitlab/onnx_export.h>
#include <digitlab/runtime.h>
#include <digitlab/torchscript.h>
#include "data/sha256.h"
#include "image/joined_digits.h"
#include "image/writing_styles.h"
#include "infer/folded_digit_net.h"
#include "model/training_ops.h"
#include "train/augmenter.h"
#include "train/graphed_step.h"
#include "train/learning_rate.h"
#include "util/atomic_write.h"

#include "runtime/freed_memory.h"
#include "runtime/torch_compat.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace digitlab {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

/// MNIST's 60,000 training images lose 5,000 to validation; smaller runs keep the same share.
constexpr int64_t kValidationPer60k = 5000;
constexpr int64_t kEvalBatch = 1000;
constexpr int kCheckpointFormat = 1;
/// Joined pairs made once per run for TrainConfig::non_digits (a second or two); each batch draws its share
/// from them at random and augments them with the digits. They pass through
/// batch norm with the digits, so its running statistics hold them too (about one image in eight at a share of
/// 0.15).
constexpr int64_t kNonDigitPool = 30000;
/// A non-digit image is taught to get no class with more than this probability: the number reader then prefers
/// cutting a joined pair into two digits read with confidence (src/core/front/number_reader.cpp).
constexpr double kNonDigitMostSure = 0.5;
/// The weight of the non-digit term in the loss, beside the digits' cross-entropy. With this weight, a share of
/// 0.15 and a fine-tune of three epochs, the shipped model's MNIST test accuracy stayed within 0.01% (models/).
constexpr double kNonDigitWeight = 0.5;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// The last n images of `data` (all of them when n is 0 or not less than its size).
IdxDataset last_images(const IdxDataset& data, int64_t n) {
  if (n <= 0 || static_cast<size_t>(n) >= data.size()) return data;
  const size_t first = data.size() - static_cast<size_t>(n);
  const size_t pixels = static_cast<size_t>(data.rows()) * static_cast<size_t>(data.cols());
  const auto p = data.pixels().begin() + static_cast<std::ptrdiff_t>(first * pixels);
  const auto l = data.labels().begin() + static_cast<std::ptrdiff_t>(first);
  return IdxDataset({p, data.pixels().end()}, {l, data.labels().end()}, data.rows(), data.cols(), data.classes());
}

/// Dynamic loss scaling for fp16 autocast: grow the scale after a run of finite steps,
/// halve it and skip the step when gradients overflow.
struct LossScaler {
  bool enabled = false;
  double scale = 65536.0;
  int good_steps = 0;
  static constexpr int kGrowthInterval = 2000;

  /// Unscales gradients; returns false (and shrinks the scale) if any is inf or NaN.
  bool unscale(const std::vector<torch::Tensor>& params) {
    if (!enabled) return true;
    std::vector<torch::Tensor> finite;
    for (const auto& p : params) {
      if (!p.grad().defined()) continue;
      p.mutable_grad().mul_(1.0 / scale);
      finite.push_back(torch::isfinite(p.grad()).all());
    }
    const bool ok = torch::stack(finite).all().item<bool>();
    if (!ok) {
      scale /= 2.0;
      good_steps = 0;
    } else if (++good_steps % kGrowthInterval == 0) {
      scale *= 2.0;
    }
    return ok;
  }
};

/// Best weights kept in memory, so early stopping and Stop can restore them.
std::vector<torch::Tensor> snapshot(const DigitNet& net) {
  std::vector<torch::Tensor> state;
  for (const auto& t : net->parameters()) state.push_back(t.detach().clone());
  for (const auto& t : net->buffers()) state.push_back(t.detach().clone());
  return state;
}

void restore(DigitNet& net, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& t : net->parameters()) t.copy_(state.at(i++));
  for (auto& t : net->buffers()) t.copy_(state.at(i++));
}

void set_learning_rate(torch::optim::Adam& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
}

/// How much surer than kNonDigitMostSure the network is of images that are no digit: for each image, the
/// log-probability of its likeliest class beyond log(kNonDigitMostSure), averaged over the images; 0 when it is at
/// most that sure of every one. Only overconfidence is taught away: a pair may still look a little like a digit.
torch::Tensor overconfidence_loss(const torch::Tensor& logits) {
  const auto likeliest = std::get<0>(torch::log_softmax(logits, 1).max(1));
  return torch::relu(likeliest - std::log(kNonDigitMostSure)).mean();
}

/// The starting model's answers (probabilities) for the first `n` images of the batch `x`, as soft targets.
torch::Tensor answers_of(DigitNet& teacher, const torch::Tensor& x, int64_t n) {
  torch::NoGradGuard no_grad;
  return torch::softmax(teacher->forward(x.slice(0, 0, n)).to(torch::kFloat), 1);
}

/// How far the network's answers have drifted from `answers` (a distribution per image): the Kullback-Leibler
/// divergence KL(answers || softmax(logits)), averaged over the images.
torch::Tensor drift_loss(const torch::Tensor& logits, const torch::Tensor& answers) {
  const auto log_p = torch::log_softmax(logits, 1);
  return (answers * (torch::log(answers.clamp_min(1e-12)) - log_p)).sum(1).mean();
}

/// "3 classes: bar, cross, ring" (the first ten names).
std::string describe_classes(const std::vector<std::string>& names) {
  std::string text = std::to_string(names.size()) + " classes:";
  for (size_t i = 0; i < names.size() && i < 10; ++i) text += (i == 0 ? " " : ", ") + names[i];
  return names.size() > 10 ? text + ", ..." : text;
}

/// The index of the class named `name` (a digit's, "1"), or -1 when the data has none.
int class_index(const std::vector<std::string>& names, const char* name) {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

/// Loss and accuracy of a labelled split, in eval mode.
struct SplitScore {
  double loss = 0;
  double accuracy = 0;
};

/// Loss and accuracy of the network on a held-out split, in eval mode, in batches; nullopt when `should_stop` turns
/// true between two batches. On the CPU the scores come from the network folded for DigitLab's kernels
/// (log-probabilities, which cross-entropy takes as logits): float, as the saved model runs, and faster than
/// LibTorch's bfloat16.
std::optional<SplitScore> score_split(DigitNet& net, const torch::Tensor& images, const torch::Tensor& labels,
                                      const std::function<bool()>& should_stop) {
  torch::NoGradGuard no_grad;
  net->eval();
  const std::optional<FoldedDigitNet> folded =
      images.is_cpu() ? FoldedDigitNet::from_net(net) : std::optional<FoldedDigitNet>();
  const int64_t n = images.size(0);
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < n; begin += kEvalBatch) {
    if (should_stop()) return std::nullopt;
    const int64_t end = std::min(n, begin + kEvalBatch);
    const auto x = images.slice(0, begin, end).to(torch::kFloat).div_(255.0);
    const auto y = labels.slice(0, begin, end);
    const auto logits = folded ? folded->probabilities(x).clamp_min_(1e-30f).log_() : net->forward(x).to(torch::kFloat);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  const double penalty = net->l2_penalty().item<double>();
  return SplitScore{loss_sum / static_cast<double>(n) + penalty, static_cast<double>(correct) / static_cast<double>(n)};
}

json epoch_json(const EpochStats& e) {
  return {{"epoch", e.epoch},
          {"train_loss", e.train_loss},
          {"train_accuracy", e.train_accuracy},
          {"val_loss", e.val_loss},
          {"val_accuracy", e.val_accuracy},
          {"lr", e.lr},
          {"seconds", e.seconds},
          {"images_per_second", e.images_per_second},
          {"improved", e.improved}};
}

}  // namespace

class TorchTrainer : public TrainerBackend {
 public:
  explicit TorchTrainer(TrainConfig config) : config_(std::move(config)) {
    if (config_.epochs < 1) throw std::runtime_error("epochs must be at least 1");
    if (config_.batch_size < 2) throw std::runtime_error("batch size must be at least 2 (batch norm)");
    if (!(config_.lr > 0) || !std::isfinite(config_.lr)) throw std::runtime_error("learning rate must be positive");
    if (!(config_.lr_decay > 0) || config_.lr_decay > 1) throw std::runtime_error("lr decay must be in (0, 1]");
    if (config_.patience < 1) throw std::runtime_error("patience must be at least 1");
    if (config_.limit < 0 || config_.test_limit < 0) throw std::runtime_error("limits must not be negative");
    if (config_.out_dir.empty()) throw std::runtime_error("no output folder given");
    if (!(config_.non_digits >= 0 && config_.non_digits <= 1)) {
      throw std::runtime_error("the share of non-digit images must be in [0, 1]");
    }
    if (!(config_.writing_styles >= 0 && config_.writing_styles <= 1)) {
      throw std::runtime_error("the share of 1s and 4s drawn in other writing styles must be in [0, 1], got " +
                               std::to_string(config_.writing_styles));
    }
    if (config_.writing_styles > 0 && config_.keep_answers > 0) {
      // The starting model's answers on the redrawn 1s and 4s are the very answers the styles are there to change.
      throw std::runtime_error(
          "--writing-styles and --keep-answers cannot go together: keeping the starting model's answers would keep "
          "them on the redrawn 1s and 4s too");
    }
    if (!(config_.keep_answers >= 0) || !std::isfinite(config_.keep_answers)) {
      throw std::runtime_error("the weight of keeping the starting model's answers must be a number >= 0, got " +
                               std::to_string(config_.keep_answers));
    }
    if (config_.keep_answers > 0 && config_.init_from.empty()) {
      throw std::runtime_error("keeping the starting model's answers needs a starting model (--init)");
    }
  }

  TrainResult run(const TrainCallbacks& callbacks, const std::atomic<bool>* stop) override;

 private:
  // The steps of run(), in order. train_epoch() and validate() return nullopt when the stop flag ends them.
  TrainResult set_up();
  std::optional<EpochStats> train_epoch(int epoch);
  /// Training images per epoch: config.images_per_epoch of them when set (drawn afresh each epoch), else all.
  int64_t images_per_epoch() const;
  /// How many non-digit images go with a batch of `digits` digits (0 when config.non_digits is off).
  int64_t non_digit_count(int64_t digits) const;
  std::optional<EpochStats> validate(int epoch, EpochStats stats);
  void end_epoch(const EpochStats& stats, TrainResult& result);
  TrainResult finish(TrainResult result);

  bool should_stop() const { return stop_ != nullptr && stop_->load(std::memory_order_relaxed); }
  void log(const std::string& line) const {
    if (callbacks_->on_log) callbacks_->on_log(line);
  }
  void phase(const std::string& what) const {
    log(what);
    if (callbacks_->on_phase) callbacks_->on_phase(what);
  }
  void prepare_output_folder() const;
  void load_data();
  void warn_about_small_classes() const;
  void start_from_model(const LoadedModel& loaded);
  void keep_answers_of(const LoadedModel& loaded);
  void make_non_digits();
  void add_writing_styles();
  void set_up_graphed_step();
  std::optional<EpochStats> train_epoch_graphed(int epoch);
  void save_checkpoint(int epochs_done) const;
  int load_checkpoint();
  std::string model_card(std::optional<double> test_accuracy) const;
  void write_metrics(const TrainResult& result) const;

  TrainConfig config_;
  const TrainCallbacks* callbacks_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  bool amp_ = false;  // mixed precision on CUDA
  at::ScalarType amp_type_ = at::kHalf;
  bool cpu_bf16_ = false;  // bfloat16 autocast on this CPU
  std::unique_ptr<GraphedStep> graphed_;  // the CUDA-graph step, when used
  std::vector<torch::Tensor> resumed_flat_adam_;  // its optimizer state from a checkpoint
  LossScaler scaler_;
  torch::Device device_{torch::kCPU};
  std::string device_description_;
  DigitNet net_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
  torch::Tensor train_x_, train_y_, val_x_, val_y_;
  DigitNet teacher_{nullptr};  // the starting model, for config.keep_answers; null when off
  std::string init_sha256_;    // SHA-256 of its file when keep_answers is on: a resumed run must keep the same one
  torch::Tensor non_digit_x_;  // joined pairs for config.non_digits (uint8, on the device); undefined when off
  std::unique_ptr<Dataset> data_;
  DatasetSource source_;
  // Early stopping state; saved in the checkpoint.
  double best_val_accuracy_ = -1;
  double best_val_loss_ = 0;
  int best_epoch_ = 0;
  int bad_epochs_ = 0;
  std::vector<torch::Tensor> best_state_;
  json history_ = json::array();
  double prior_wall_seconds_ = 0;  // earlier sessions of a resumed run
  json dataset_sha256_;            // SHA-256 of each MNIST file's content, for metrics.json
  Clock::time_point started_;
};

void TorchTrainer::prepare_output_folder() const {
  std::error_code ec;
  std::filesystem::create_directories(config_.out_dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create output folder " + config_.out_dir.string() + ": " + ec.message());
  }
  // Fail now, not after an hour of training, when the folder is not writable.
  write_text_atomically(config_.out_dir / ".digitlab-write-test", "ok\n");
  std::filesystem::remove(config_.out_dir / ".digitlab-write-test", ec);
}

void TorchTrainer::load_data() {
  source_ = config_.dataset.value_or(DatasetSource(DatasetSource::Kind::kMnist, config_.data_dir));
  data_ = std::make_unique<Dataset>(load_dataset(source_));
  // MNIST + one's own samples holds the samples after MNIST's images: its limits keep the last images, so that a
  // quick fine-tune still learns from every sample of one's own.
  if (source_.kind() == DatasetSource::Kind::kMnistPlusFolder) {
    data_->train = last_images(data_->train, config_.limit);
    data_->test = last_images(data_->test, config_.test_limit);
  }
  // Hashed while loading rather than in write_metrics(), so that Stop does not wait for half a second of hashing.
  dataset_sha256_ = json::object();
  for (const auto& [file, sha] : data_->file_sha256) dataset_sha256_[file] = sha;
  if (!data_->skipped.empty()) {
    log("skipped " + std::to_string(data_->skipped.size()) + " images: " + data_->skipped.front() +
        (data_->skipped.size() > 1 ? " ..." : ""));
  }
  config_.model.num_classes = static_cast<int64_t>(data_->class_names.size());
  config_.model.class_names = data_->class_names;
  config_.model.validate();
  warn_about_small_classes();
  const IdxDataset& train = data_->train;
  const int64_t n = config_.limit > 0 ? std::min<int64_t>(config_.limit, train.size()) : train.size();
  const int64_t val_n = std::max<int64_t>(1, n * kValidationPer60k / 60000);
  if (n - val_n < 2) {
    throw std::runtime_error("too few training images (" + std::to_string(n) + "); use --limit 100 or more");
  }
  // The split depends on the seed alone, so a resumed run validates on the same images.
  auto split_gen = at::detail::createCPUGenerator(config_.seed);
  const auto perm = torch::randperm(n, split_gen, torch::kLong);
  const auto all_x = images_tensor(train, 0, n);
  const auto all_y = labels_tensor(train, 0, n);
  const auto val_idx = perm.slice(0, 0, val_n);
  const auto train_idx = perm.slice(0, val_n, n);
  train_x_ = all_x.index_select(0, train_idx);
  train_y_ = all_y.index_select(0, train_idx);
  if (config_.writing_styles > 0) add_writing_styles();
  // On CUDA the whole dataset lives on the GPU (47 MB as uint8).
  train_x_ = train_x_.to(device_);
  train_y_ = train_y_.to(device_);
  val_x_ = all_x.index_select(0, val_idx).to(device_);
  val_y_ = all_y.index_select(0, val_idx).to(device_);
  log("data: " + data_->name + ", " + std::to_string(config_.model.num_classes) + " classes, " +
      std::to_string(n - val_n) + " training, " + std::to_string(val_n) + " validation, " +
      std::to_string(data_->test.size()) + " test images from " + source_.dir().string());
}

void TorchTrainer::warn_about_small_classes() const {
  std::vector<int64_t> counts(data_->class_names.size(), 0);
  for (const uint8_t label : data_->train.labels()) ++counts[label];
  for (size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] < kFewSamplesPerClass) {
      log("warning: class \"" + data_->class_names[c] + "\" has only " + std::to_string(counts[c]) +
          " training images; " + std::to_string(kFewSamplesPerClass) + " or more read far better");
    }
  }
}

// Fine-tuning: every weight of the starting model whose shape fits is copied (all of them when the classes match).
void TorchTrainer::start_from_model(const LoadedModel& loaded) {
  DigitNet start = to_digitnet(loaded, config_.init_from);
  auto from = start->named_parameters(/*recurse=*/true);
  auto from_buffers = start->named_buffers(/*recurse=*/true);
  int copied = 0, total = 0;
  torch::NoGradGuard no_grad;
  const auto copy_matching = [&](auto&& to, auto& source) {
    for (auto& item : to) {
      ++total;
      const auto* match = source.find(item.key());
      if (match != nullptr && match->sizes().equals(item.value().sizes())) {
        item.value().copy_(match->to(item.value().device()));
        ++copied;
      }
    }
  };
  copy_matching(net_->named_parameters(/*recurse=*/true), from);
  copy_matching(net_->named_buffers(/*recurse=*/true), from_buffers);
  if (copied == 0) throw std::runtime_error(config_.init_from.string() + ": no weight fits the network to train");
  log("starting from " + config_.init_from.string() + " (" + std::to_string(copied) + " of " + std::to_string(total) +
      " tensors" + (copied < total ? "; new output layer for the new classes)" : ")"));
}

// The starting model, frozen, whose answers config.keep_answers keeps (again on a resumed run, which checks that it
// is the same file by its SHA-256).
void TorchTrainer::keep_answers_of(const LoadedModel& loaded) {
  if (loaded.class_names != config_.model.class_names) {
    throw std::runtime_error(config_.init_from.string() + " has " + describe_classes(loaded.class_names) +
                             "; the data has " + describe_classes(config_.model.class_names) +
                             ", so its answers cannot be kept (--keep-answers)");
  }
  init_sha256_ = sha256_of_content(config_.init_from);
  teacher_ = to_digitnet(loaded, config_.init_from);
  teacher_->to(device_);
  for (auto& p : teacher_->parameters()) p.set_requires_grad(false);
  std::ostringstream line;
  line << "keeping the answers of " << config_.init_from.string() << " on the training digits (weight "
       << config_.keep_answers << ")";
  log(line.str());
}

// Flagged 1s and closed 4s in place of a share of the training 1s and 4s (on the CPU, before the data moves to the
// device). Validation keeps the writers' own images.
void TorchTrainer::add_writing_styles() {
  const int one = class_index(config_.model.class_names, "1");
  const int four = class_index(config_.model.class_names, "4");
  if (one < 0 && four < 0) {
    log("writing styles: the data has no class \"1\" or \"4\"; nothing drawn");
    return;
  }
  train_x_ = train_x_.contiguous();
  const auto labels = train_y_.to(torch::kUInt8).contiguous();
  const auto changed = detail::WritingStyles(config_.writing_styles, config_.seed)
                           .apply(train_x_.data_ptr<uint8_t>(), labels.data_ptr<uint8_t>(),
                                  static_cast<size_t>(train_x_.size(0)), one, four);
  const auto count = [&](int label) { return label < 0 ? 0 : labels.eq(label).sum().item<int64_t>(); };
  log("writing styles: a flag on " + std::to_string(changed.ones) + " of the " + std::to_string(count(one)) +
      " training 1s, a closed top drawn for " + std::to_string(changed.fours) + " of the " +
      std::to_string(count(four)) + " training 4s");
}

void TorchTrainer::make_non_digits() {
  const auto x = train_x_.to(torch::kCPU).contiguous();
  const auto y = train_y_.to(torch::kCPU).to(torch::kUInt8).contiguous();
  const detail::JoinedDigits joined(x.data_ptr<uint8_t>(), y.data_ptr<uint8_t>(), static_cast<size_t>(x.size(0)),
                                    class_index(config_.model.class_names, "1"));
  std::vector<uint8_t> pixels = joined.make(static_cast<size_t>(kNonDigitPool), config_.seed);
  const auto pool = torch::from_blob(pixels.data(), {kNonDigitPool, 1, kInputSide, kInputSide}, torch::kUInt8);
  non_digit_x_ = pool.clone().to(device_);
  const int most_sure = static_cast<int>(kNonDigitMostSure * 100);
  log("non-digits: " + std::to_string(kNonDigitPool) + " joined pairs of training digits; " +
      std::to_string(non_digit_count(config_.batch_size)) + " go with each batch of " +
      std::to_string(config_.batch_size) + ", taught to be at most " + std::to_string(most_sure) +
      "% sure of any class");
}

void TorchTrainer::save_checkpoint(int epochs_done) const {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  net_->save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer_->save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  if (graphed_) {
    const auto state = graphed_->optimizer().state();
    for (size_t i = 0; i < state.size(); ++i) {
      archive.write("flat_adam." + std::to_string(i), state[i].to(torch::kCPU), /*is_buffer=*/true);
    }
  }
  for (size_t i = 0; i < best_state_.size(); ++i) {
    archive.write("best." + std::to_string(i), best_state_[i].to(torch::kCPU), /*is_buffer=*/true);
  }
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state(), /*is_buffer=*/true);
  archive.write("format", c10::IValue(static_cast<int64_t>(kCheckpointFormat)));
  archive.write("epochs_done", c10::IValue(static_cast<int64_t>(epochs_done)));
  archive.write("best_val_accuracy", c10::IValue(best_val_accuracy_));
  archive.write("best_val_loss", c10::IValue(best_val_loss_));
  archive.write("best_epoch", c10::IValue(static_cast<int64_t>(best_epoch_)));
  archive.write("bad_epochs", c10::IValue(static_cast<int64_t>(bad_epochs_)));
  archive.write("history", c10::IValue(history_.dump()));
  archive.write("wall_seconds", c10::IValue(prior_wall_seconds_ + seconds_since(started_)));
  archive.write("seed", c10::IValue(static_cast<int64_t>(config_.seed)));
  archive.write("limit", c10::IValue(config_.limit));
  archive.write("batch_size", c10::IValue(static_cast<int64_t>(config_.batch_size)));
  archive.write("images_per_epoch", c10::IValue(config_.images_per_epoch));
  archive.write("non_digits", c10::IValue(config_.non_digits));
  archive.write("keep_answers", c10::IValue(config_.keep_answers));
  archive.write("writing_styles", c10::IValue(config_.writing_styles));
  archive.write("init_sha256", c10::IValue(init_sha256_));
  archive.write("recipe", c10::IValue(config_.recipe));
  // In memory first, then through the atomic writer (see save_torchscript): a full disk is an error, not an abort.
  std::ostringstream bytes;
  try {
    archive.save_to(bytes);
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot write " + (config_.out_dir / kCheckpointFileName).string() + ": " +
                             std::string(e.what_without_backtrace()).substr(0, 200));
  }
  write_text_atomically(config_.out_dir / kCheckpointFileName, bytes.str());
}

int TorchTrainer::load_checkpoint() {
  const auto path = config_.out_dir / kCheckpointFileName;
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("cannot resume: no checkpoint " + path.string());
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string(), device_);
    c10::IValue value;
    archive.read("format", value);
    if (value.toInt() != kCheckpointFormat) throw std::runtime_error("unsupported checkpoint format");
    const auto read_int = [&](const char* key) {
      archive.read(key, value);
      return value.toInt();
    };
    const auto read_double = [&](const char* key) {
      archive.read(key, value);
      return value.toDouble();
    };
    // The validation split and batch order depend on these; a mismatch would not continue the run.
    // (Checkpoints from before these settings existed used all the images, no non-digits, kept no answers and
    // drew no writing styles.)
    const int64_t images_per_epoch = archive.try_read("images_per_epoch", value) ? value.toInt() : 0;
    const double non_digits = archive.try_read("non_digits", value) ? value.toDouble() : 0.0;
    const double keep_answers = archive.try_read("keep_answers", value) ? value.toDouble() : 0.0;
    const double writing_styles = archive.try_read("writing_styles", value) ? value.toDouble() : 0.0;
    const std::pair<const char*, bool> differs[] = {
        {"--seed", read_int("seed") != static_cast<int64_t>(config_.seed)},
        {"--limit", read_int("limit") != config_.limit},
        {"--batch-size", read_int("batch_size") != config_.batch_size},
        {"--images-per-epoch", images_per_epoch != config_.images_per_epoch},
        {"--non-digits", non_digits != config_.non_digits},
        {"--keep-answers", keep_answers != config_.keep_answers},
        {"--writing-styles", writing_styles != config_.writing_styles}};
    for (const auto& [option, differ] : differs) {
      if (differ) throw std::runtime_error(std::string("it was made with a different ") + option);
    }
    const std::string init_sha256 = archive.try_read("init_sha256", value) ? value.toStringRef() : "";
    if (init_sha256 != init_sha256_) {
      throw std::runtime_error("it kept the answers of another starting model than " + config_.init_from.string() +
                               " (--init; its SHA-256 differs)");
    }
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    net_->load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer_->load(optimizer_archive);
    resumed_flat_adam_.clear();
    for (int i = 0;; ++i) {
      torch::Tensor t;
      if (!archive.try_read("flat_adam." + std::to_string(i), t, /*is_buffer=*/true)) break;
      resumed_flat_adam_.push_back(t);
    }
    best_state_ = snapshot(net_);
    for (size_t i = 0; i < best_state_.size(); ++i) {
      archive.read("best." + std::to_string(i), best_state_[i], /*is_buffer=*/true);
    }
    torch::Tensor rng;
    archive.read("rng", rng, /*is_buffer=*/true);
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the shared generator
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng.to(torch::kCPU));
    best_val_accuracy_ = read_double("best_val_accuracy");
    best_val_loss_ = read_double("best_val_loss");
    best_epoch_ = static_cast<int>(read_int("best_epoch"));
    bad_epochs_ = static_cast<int>(read_int("bad_epochs"));
    prior_wall_seconds_ = read_double("wall_seconds");
    archive.read("history", value);
    history_ = json::parse(value.toStringRef());
    return static_cast<int>(read_int("epochs_done"));
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot resume from " + path.string() + ": " +
                             std::string(e.what_without_backtrace()).substr(0, 200));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot resume from " + path.string() + ": " + e.what());
  }
}

std::string TorchTrainer::model_card(std::optional<double> test_accuracy) const {
  json card = {{"name", "DigitNet"},
               {"digitlab_version", digitlab_version()},
               {"torch_version", torch_version()},
               {"input", "image: float N x 1 x 28 x 28, white digit on black, values in [0,1]"},
               {"output", "probabilities: float N x " + std::to_string(config_.model.num_classes) + " (softmax)"},
               {"best_epoch", best_epoch_},
               {"val_accuracy", best_val_accuracy_},
               {"seed", config_.seed},
               {"dataset", data_->name},
               {"device", device_description_}};
  card["test_accuracy"] = test_accuracy ? json(*test_accuracy) : json(nullptr);
  return card.dump();
}

void TorchTrainer::write_metrics(const TrainResult& result) const {
  json per_class = json::array();
  for (int l = 0; l < result.confusion.classes(); ++l) per_class.push_back(result.confusion.class_accuracy(l));
  json metrics = {
      {"command", config_.command},
      {"config",
       {{"epochs", config_.epochs},
        {"batch_size", config_.batch_size},
        {"lr", config_.lr},
        {"recipe", config_.recipe},
        {"lr_schedule", config_.schedule == LrSchedule::kOneCycle
                            ? "one-cycle: cosine up from lr/25 over the first quarter of the steps, down to lr/1e4"
                            : "exponential: lr * lr_decay^epoch"},
        {"label_smoothing", config_.label_smoothing},
        {"augment_strength", config_.augment_strength},
        {"cpu_bf16", cpu_bf16_},
        {"cuda_graph", graphed_ != nullptr},
        {"cudnn_autotune", config_.cudnn_autotune},
        {"lr_decay", config_.lr_decay},
        {"patience", config_.patience},
        {"augment", config_.augment},
        {"amp", config_.amp},
        {"seed", config_.seed},
        {"limit", config_.limit},
        {"images_per_epoch", images_per_epoch()},
        {"non_digits", config_.non_digits},
        {"keep_answers", config_.keep_answers},
        {"writing_styles", config_.writing_styles},
        {"init_sha256", init_sha256_.empty() ? json(nullptr) : json(init_sha256_)},
        {"conv_dropout", config_.model.conv_dropout},
        {"dense_dropout", config_.model.dense_dropout},
        {"test_limit", config_.test_limit},
        {"threads", torch::get_num_threads()}}},
      {"history", history_},
      {"epochs_completed", result.epochs_completed},
      {"best_epoch", result.best_epoch},
      {"best_val_accuracy", result.best_val_accuracy},
      {"stopped", result.stopped},
      {"early_stopped", result.early_stopped},
      {"test_images", result.test_accuracy ? json(result.confusion.total()) : json(nullptr)},
      {"test_accuracy", result.test_accuracy ? json(*result.test_accuracy) : json(nullptr)},
      {"per_class_accuracy", result.test_accuracy ? per_class : json(nullptr)},
      {"confusion_matrix", result.test_accuracy ? json::parse(result.confusion.to_json()) : json(nullptr)},
      {"dataset", source_.text()},
      {"dataset_name", data_->name},
      {"class_names", data_->class_names},
      {"init_from", config_.init_from.empty() ? json(nullptr) : json(config_.init_from.string())},
      {"dataset_sha256", dataset_sha256_},
      {"versions", {{"digitlab", digitlab_version()}, {"libtorch", torch_version()}, {"compiler", __VERSION__}}},
      {"device", result.device},
      {"wall_seconds", result.wall_seconds}};
  write_text_atomically(result.metrics_path, metrics.dump(2) + "\n");
}

/// Mixed precision for the span of the epoch loop (CUDA's, or the CPU's bfloat16), turned off again however the loop
/// ends. Validation runs under it too.
class Autocast {
 public:
  Autocast(bool cuda, bool cpu, at::ScalarType cuda_type) : cuda_(cuda), cpu_(cpu) {
    if (cuda_) compat::set_cuda_autocast(true, cuda_type);
    if (cpu_) compat::set_cpu_autocast(true, at::kBFloat16);
  }
  ~Autocast() {
    if (cuda_) compat::set_cuda_autocast(false, at::kHalf);
    if (cpu_) compat::set_cpu_autocast(false, at::kBFloat16);
  }
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  bool cuda_, cpu_;
};

TrainResult TorchTrainer::run(const TrainCallbacks& callbacks, const std::atomic<bool>* stop) {
  started_ = Clock::now();
  callbacks_ = &callbacks;
  stop_ = stop;
  // Grad mode and autocast are per thread: set them here, on the training thread.
  torch::AutoGradMode grad_mode(true);
  configure_threads(config_.threads);
  const KeepFreedMemory keep_freed_memory;
  TrainResult result = set_up();
  {
    const Autocast autocast(amp_, cpu_bf16_, amp_type_);
    for (int epoch = result.epochs_completed; epoch < config_.epochs && bad_epochs_ < config_.patience; ++epoch) {
      std::optional<EpochStats> stats = train_epoch(epoch);
      if (stats) stats = validate(epoch, *stats);
      if (!stats) {  // Stop during the epoch or its validation: the epoch counts as unfinished
        result.stopped = true;
        break;
      }
      end_epoch(*stats, result);
    }
  }
  return finish(result);
}

TrainResult TorchTrainer::set_up() {
  device_ = torch::Device(resolve_device(config_.device));
  device_description_ = describe_device(device_.is_cuda() ? "cuda" : "cpu");
  prepare_output_folder();
  load_data();

  torch::manual_seed(config_.seed);
  net_ = DigitNet(config_.model);
  net_->to(device_);
  // A resumed run has its weights from the checkpoint, but still needs the starting model for keep_answers.
  if (!config_.init_from.empty() && (!config_.resume || config_.keep_answers > 0)) {
    const LoadedModel start = load_torchscript(config_.init_from);
    if (config_.keep_answers > 0) keep_answers_of(start);  // first: it refuses a model with other classes
    if (!config_.resume) start_from_model(start);
  }
  if (config_.non_digits > 0) make_non_digits();
  optimizer_ = std::make_unique<torch::optim::Adam>(net_->parameters(), torch::optim::AdamOptions(config_.lr));
  TrainResult result;
  if (config_.resume) {
    result.epochs_completed = load_checkpoint();
    log("resuming after epoch " + std::to_string(result.epochs_completed) + " (best validation accuracy " +
        std::to_string(best_val_accuracy_ * 100) + "% at epoch " + std::to_string(best_epoch_) + ")");
  }

  amp_ = device_.is_cuda() && config_.amp;
  if (device_.is_cuda()) at::globalContext().setBenchmarkCuDNN(config_.cudnn_autotune);
  if (amp_) {
    const bool bf16 = compat::cuda_supports_bf16();
    amp_type_ = bf16 ? at::kBFloat16 : at::kHalf;
    scaler_.enabled = !bf16;
    log(std::string("mixed precision: ") + (bf16 ? "bfloat16" : "float16 with dynamic loss scaling"));
  }
  cpu_bf16_ = !device_.is_cuda() && config_.cpu_bf16 && cpu_has_native_bf16();
  if (cpu_bf16_) log("mixed precision: bfloat16 on the CPU");
  if (device_.is_cuda() && config_.cuda_graph) set_up_graphed_step();
  log("device: " + device_description_ + ", " + std::to_string(parameter_count(*net_)) + " parameters");

  result.device = device_description_;
  result.model_path = config_.out_dir / kModelFileName;
  result.metrics_path = config_.out_dir / kMetricsFileName;
  return result;
}

void TorchTrainer::set_up_graphed_step() {
  if (!GraphedStep::available(device_)) {
    log("CUDA graphs: not in this build; training step by step");
    return;
  }
  if (train_x_.size(0) < config_.batch_size) {
    log("CUDA graphs: fewer training images than one batch; training step by step");
    return;
  }
  if (non_digit_x_.defined() || teacher_) {
    log("CUDA graphs: not with non-digit images or kept answers; training step by step");
    return;
  }
  if (scaler_.enabled) {  // float16 needs loss scaling, which checks every step's gradients on the host
    log("CUDA graphs: this GPU has no bfloat16, and float16 needs loss scaling; training step by step");
    return;
  }
  GraphedStepOptions options;
  options.batch_size = config_.batch_size;
  options.label_smoothing = config_.label_smoothing;
  options.augment = config_.augment;
  options.augment_strength = config_.augment_strength;
  graphed_ = std::make_unique<GraphedStep>(net_, train_x_, train_y_, options);
  if (config_.resume) {
    if (resumed_flat_adam_.empty()) {
      log("the checkpoint holds no CUDA-graph optimizer state: Adam's moments start afresh");
    } else {
      for (auto& t : resumed_flat_adam_) t = t.to(device_);
      graphed_->optimizer().restore(resumed_flat_adam_);
    }
  }
  log("CUDA graphs: the whole training step is captured once and replayed (channels-last, batch " +
      std::to_string(config_.batch_size) + "; each epoch's last partial batch is left out)");
}

// The CUDA-graph twin of train_epoch(): no value comes back to the host during the epoch except the loss shown every
// kReportEvery steps.
std::optional<EpochStats> TorchTrainer::train_epoch_graphed(int epoch) {
  constexpr int64_t kReportEvery = 25;
  const auto epoch_start = Clock::now();
  net_->train();
  const int64_t n_train = train_x_.size(0);
  const int64_t batches = images_per_epoch() / config_.batch_size;
  const LearningRate schedule(config_, batches);
  const auto order = torch::randperm(n_train, torch::kLong).to(device_);
  graphed_->start_epoch();
  double lr = schedule.at(epoch, 0);
  for (int64_t b = 0; b < batches; ++b) {
    if (should_stop()) return std::nullopt;
    lr = schedule.at(epoch, b);
    graphed_->run(order.slice(0, b * config_.batch_size, (b + 1) * config_.batch_size), lr);
    if (callbacks_->on_batch && ((b + 1) % kReportEvery == 0 || b + 1 == batches)) {
      const double seen = static_cast<double>((b + 1) * config_.batch_size);
      callbacks_->on_batch({epoch + 1, config_.epochs, b + 1, batches, graphed_->last_loss(), lr,
                            seen / std::max(1e-9, seconds_since(epoch_start))});
    }
  }
  const double seen = static_cast<double>(batches * config_.batch_size);
  EpochStats stats;
  stats.epoch = epoch + 1;
  stats.epochs = config_.epochs;
  stats.train_loss = graphed_->loss_sum() / seen;
  stats.train_accuracy = static_cast<double>(graphed_->correct()) / seen;
  stats.lr = lr;
  stats.seconds = seconds_since(epoch_start);
  stats.images_per_second = seen / stats.seconds;
  return stats;
}

int64_t TorchTrainer::non_digit_count(int64_t digits) const {
  if (!non_digit_x_.defined()) return 0;
  return std::max<int64_t>(1, std::llround(static_cast<double>(digits) * config_.non_digits));
}

int64_t TorchTrainer::images_per_epoch() const {
  const int64_t n_train = train_x_.size(0);
  return config_.images_per_epoch > 0 ? std::min(config_.images_per_epoch, n_train) : n_train;
}

std::optional<EpochStats> TorchTrainer::train_epoch(int epoch) {
  if (graphed_) return train_epoch_graphed(epoch);
  const auto epoch_start = Clock::now();
  net_->train();
  const Augmenter augment;
  const auto params = net_->parameters();
  const int64_t n_train = train_x_.size(0);
  const int64_t n_epoch = images_per_epoch();  // the first n_epoch of a fresh permutation
  const int64_t batches = (n_epoch + config_.batch_size - 1) / config_.batch_size;
  const LearningRate schedule(config_, batches);
  double lr = schedule.at(epoch, 0);
  const auto loss_options =
      torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config_.label_smoothing);
  const auto order = torch::randperm(n_train, torch::kLong).to(device_);
  double loss_sum = 0;
  int64_t seen = 0;
  torch::Tensor correct = torch::zeros({}, torch::TensorOptions(torch::kLong).device(device_));

  for (int64_t b = 0; b < batches; ++b) {
    if (should_stop()) return std::nullopt;
    const int64_t begin = b * config_.batch_size;
    const int64_t end = std::min(n_epoch, begin + config_.batch_size);
    if (end - begin < 2) continue;  // batch norm needs two images
    lr = schedule.at(epoch, b);
    set_learning_rate(*optimizer_, lr);
    const auto idx = order.slice(0, begin, end);
    auto x = train_x_.index_select(0, idx).to(torch::kFloat).div_(255.0);
    const auto y = train_y_.index_select(0, idx);
    const int64_t extra = non_digit_count(end - begin);
    if (extra > 0) {
      const auto on_device = torch::TensorOptions(torch::kLong).device(device_);
      const auto pick = torch::randint(non_digit_x_.size(0), {extra}, on_device);
      x = torch::cat({x, non_digit_x_.index_select(0, pick).to(torch::kFloat).div_(255.0)});
    }
    if (config_.augment) x = augment(x, config_.augment_strength);
    if (cpu_bf16_) x = channels_last_images(x);

    const auto all_logits = net_->forward(x).to(torch::kFloat);
    const auto logits = all_logits.slice(0, 0, end - begin);
    auto loss = torch::nn::functional::cross_entropy(logits, y, loss_options) + net_->l2_penalty();
    if (extra > 0) loss = loss + kNonDigitWeight * overconfidence_loss(all_logits.slice(0, end - begin));
    if (teacher_) loss = loss + config_.keep_answers * drift_loss(logits, answers_of(teacher_, x, end - begin));
    optimizer_->zero_grad();
    (scaler_.enabled ? loss * scaler_.scale : loss).backward();
    if (scaler_.unscale(params)) optimizer_->step();
    if (amp_ || cpu_bf16_) compat::clear_autocast_cache();

    const double batch_loss = loss.item<double>();
    loss_sum += batch_loss * static_cast<double>(end - begin);
    correct += logits.detach().argmax(1).eq(y).sum();
    seen += end - begin;
    if (callbacks_->on_batch) {
      callbacks_->on_batch({epoch + 1, config_.epochs, b + 1, batches, batch_loss, lr,
                            static_cast<double>(seen) / std::max(1e-9, seconds_since(epoch_start))});
    }
  }
  EpochStats stats;
  stats.epoch = epoch + 1;
  stats.epochs = config_.epochs;
  stats.train_loss = loss_sum / static_cast<double>(seen);
  stats.train_accuracy = static_cast<double>(correct.item<int64_t>()) / static_cast<double>(seen);
  stats.lr = lr;
  stats.seconds = seconds_since(epoch_start);
  stats.images_per_second = static_cast<double>(seen) / stats.seconds;
  return stats;
}

std::optional<EpochStats> TorchTrainer::validate(int epoch, EpochStats stats) {
  const auto validation_start = Clock::now();
  const std::optional<SplitScore> val = score_split(net_, val_x_, val_y_, [this] { return should_stop(); });
  // Autocast keeps the weights it cast for validation; the next validation must cast the weights trained until then.
  if (amp_ || cpu_bf16_) compat::clear_autocast_cache();
  if (!val) return std::nullopt;
  stats.val_loss = val->loss;
  stats.val_accuracy = val->accuracy;
  stats.improved =
      val->accuracy > best_val_accuracy_ || (val->accuracy == best_val_accuracy_ && val->loss < best_val_loss_);
  if (stats.improved) {
    best_val_accuracy_ = val->accuracy;
    best_val_loss_ = val->loss;
    best_epoch_ = epoch + 1;
    bad_epochs_ = 0;
    best_state_ = snapshot(net_);
    save_torchscript(net_, config_.out_dir / kModelFileName, model_card(std::nullopt));
  } else {
    ++bad_epochs_;
  }
  stats.seconds += seconds_since(validation_start);
  return stats;
}

void TorchTrainer::end_epoch(const EpochStats& stats, TrainResult& result) {
  history_.push_back(epoch_json(stats));
  result.epochs_completed = stats.epoch;
  save_checkpoint(stats.epoch);
  if (callbacks_->on_epoch) callbacks_->on_epoch(stats);
  if (bad_epochs_ >= config_.patience && stats.epoch < config_.epochs) {
    result.early_stopped = true;
    log("early stopping: no better validation accuracy for " + std::to_string(config_.patience) + " epochs");
  }
}

TrainResult TorchTrainer::finish(TrainResult result) {
  result.best_epoch = best_epoch_;
  result.best_val_accuracy = std::max(0.0, best_val_accuracy_);
  if (best_epoch_ == 0) {
    log("stopped before the first epoch finished; no model saved");
    result.wall_seconds = prior_wall_seconds_ + seconds_since(started_);
    return result;
  }
  // The run ends with the best weights, whichever way it ended.
  restore(net_, best_state_);
  net_->eval();
  if (!result.stopped) {
    const auto test_size = static_cast<int64_t>(data_->test.size());
    const int64_t test_images = config_.test_limit > 0 ? std::min(config_.test_limit, test_size) : test_size;
    phase("measuring the best model on " + std::to_string(test_images) + " test images");
    // On the CPU, as the app and the CLI will run the saved model: its batch norms folded, on DigitLab's kernels
    // (about twice LibTorch's speed in float).
    const std::optional<FoldedDigitNet> folded =
        device_.is_cpu() ? FoldedDigitNet::from_net(net_) : std::optional<FoldedDigitNet>();
    const BatchScorer scorer = folded ? BatchScorer([&folded](const torch::Tensor& x) { return folded->probabilities(x); })
                                      : BatchScorer([this](const torch::Tensor& x) { return net_->forward(x); });
    result.confusion = evaluate(scorer, data_->test, device_, config_.test_limit);
    result.test_accuracy = result.confusion.accuracy();
  }
  phase("saving the model");
  if (result.test_accuracy) save_torchscript(net_, result.model_path, model_card(result.test_accuracy));
  if (onnx_export_available()) {
    result.onnx_path = config_.out_dir / kOnnxFileName;
    export_onnx(net_, result.onnx_path, result.test_accuracy);
  } else {
    log("ONNX export skipped: this build has no ONNX support");
  }
  result.wall_seconds = prior_wall_seconds_ + seconds_since(started_);
  write_metrics(result);
  return result;
}

std::unique_ptr<TrainerBackend> make_torch_trainer(TrainConfig config) {
  return std::make_unique<TorchTrainer>(std::move(config));
}

}  // namespace digitlab
