#include <digitlab/trainer.h>

#include <digitlab/evaluator.h>
#include <digitlab/mnist.h>
#include <digitlab/torchscript.h>
#include <digitlab/train_recipe.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "image/joined_digits.h"
#include "test_helpers.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace digitlab {
namespace {

/// "cpu" unless DIGITLAB_TEST_DEVICE says otherwise (scripts/gpu-check.sh sets "cuda").
std::string test_device() {
  const char* env = std::getenv("DIGITLAB_TEST_DEVICE");
  return env != nullptr && *env != '\0' ? env : "cpu";
}

TrainConfig quick_config(const testing::TempDir& dir, int64_t limit, int epochs) {
  TrainConfig c;
  c.data_dir = testing::mnist_dir();
  c.out_dir = dir / "run";
  c.device = test_device();
  c.threads = 2;
  c.limit = limit;
  c.epochs = epochs;
  c.test_limit = 500;
  return c;
}

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// The short real run from the issue: 2,000 images, 2 epochs on CPU, >= 90% on 1,000 test images.
TEST(TrainerSlow, ShortRealRunReachesNinetyPercent) {
  testing::TempDir dir;
  auto config = quick_config(dir, 2000, 2);
  config.test_limit = 1000;
  config.batch_size = 32;  // 58 steps an epoch: enough for a 2-epoch run to learn
  config.cuda_graph = false;  // step by step on any device: every batch reported (see CudaGraphRun below)
  int batches = 0;
  std::vector<EpochStats> epochs;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchStats& b) {
    ++batches;
    EXPECT_GT(b.loss, 0.0);
    EXPECT_GT(b.images_per_second, 0.0);
  };
  callbacks.on_epoch = [&](const EpochStats& e) { epochs.push_back(e); };
  const TrainResult result = Trainer(config).run(callbacks);

  ASSERT_TRUE(result.test_accuracy.has_value());
  EXPECT_GE(*result.test_accuracy, 0.90);
  EXPECT_EQ(result.epochs_completed, 2);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_LT(epochs[1].train_loss, epochs[0].train_loss);
  EXPECT_DOUBLE_EQ(epochs[1].lr, config.lr * config.lr_decay);
  EXPECT_EQ(batches, 2 * 58);  // 1,834 training images (166 held out) in batches of 32

  // The saved TorchScript model is the one that was evaluated, and its card says so.
  auto model = load_torchscript(result.model_path);
  const auto test = load_mnist(config.data_dir).test;
  const ConfusionMatrix reloaded =
      evaluate([&](const torch::Tensor& x) { return model.module.forward({x}).toTensor(); }, test, torch::kCPU, 1000);
  EXPECT_DOUBLE_EQ(reloaded.accuracy(), *result.test_accuracy);
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(model.model_card_json)["test_accuracy"].get<double>(), *result.test_accuracy);

  const auto metrics = read_json(result.metrics_path);
  EXPECT_EQ(metrics["history"].size(), 2u);
  EXPECT_EQ(metrics["confusion_matrix"].size(), 10u);
  EXPECT_DOUBLE_EQ(metrics["test_accuracy"].get<double>(), *result.test_accuracy);
  EXPECT_EQ(metrics["dataset_sha256"]["t10k-labels-idx1-ubyte"],
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
  int64_t confusion_total = 0;
  for (const auto& row : metrics["confusion_matrix"])
    for (const auto& c : row) confusion_total += c.get<int64_t>();
  EXPECT_EQ(confusion_total, 1000);
}

TEST(TrainerSlow, SameSeedRepeatsExactlyOnCpu) {
  if (test_device() != "cpu") GTEST_SKIP() << "exact repeats are promised on CPU only";
  testing::TempDir a, b;
  const auto ra = Trainer(quick_config(a, 400, 1)).run();
  const auto rb = Trainer(quick_config(b, 400, 1)).run();
  const auto ha = read_json(ra.metrics_path)["history"];
  const auto hb = read_json(rb.metrics_path)["history"];
  for (const char* key : {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}) {
    EXPECT_EQ(ha[0][key], hb[0][key]) << key;
  }
  EXPECT_EQ(ra.test_accuracy, rb.test_accuracy);
}

TEST(TrainerSlow, ResumeContinuesExactly) {
  if (test_device() != "cpu") GTEST_SKIP() << "exact repeats are promised on CPU only";
  testing::TempDir straight, split;
  // Two epochs in one go...
  const auto full = Trainer(quick_config(straight, 500, 2)).run();
  // ...equal one epoch, then a resumed second epoch.
  Trainer(quick_config(split, 500, 1)).run();
  auto resumed_config = quick_config(split, 500, 2);
  resumed_config.resume = true;
  const auto resumed = Trainer(resumed_config).run();

  const auto h1 = read_json(full.metrics_path)["history"];
  const auto h2 = read_json(resumed.metrics_path)["history"];
  ASSERT_EQ(h1.size(), 2u);
  ASSERT_EQ(h2.size(), 2u);
  for (const char* key : {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"}) {
    EXPECT_EQ(h1[1][key], h2[1][key]) << key;
  }
  EXPECT_EQ(full.test_accuracy, resumed.test_accuracy);
}

TEST(TrainerSlow, StopFlagStopsWithinOneBatch) {
  testing::TempDir dir;
  std::atomic<bool> stop{false};
  int batches = 0;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchStats&) {
    if (++batches == 3) stop = true;
  };
  auto config = quick_config(dir, 2000, 5);
  config.cuda_graph = false;  // every batch reported
  const auto result = Trainer(config).run(callbacks, &stop);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(result.best_epoch, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / kModelFileName));
}

// The quick recipe: a one-cycle learning rate that peaks a quarter of the way in and ends near zero, recorded in
// metrics.json; 3,000 images for 2 epochs already read 90% of the test images.
TEST(TrainerSlow, QuickRecipeRunsItsOneCycle) {
  testing::TempDir dir;
  auto config = with_recipe(quick_config(dir, 3000, 2), Recipe::kQuick);
  config.epochs = 2;
  config.batch_size = 64;
  config.test_limit = 1000;
  config.cuda_graph = false;  // every step reported
  std::vector<double> rates;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchStats& b) { rates.push_back(b.lr); };
  const TrainResult result = Trainer(config).run(callbacks);
  ASSERT_TRUE(result.test_accuracy.has_value());
  EXPECT_GE(*result.test_accuracy, 0.90);
  ASSERT_GE(rates.size(), 4u);
  const auto peak = std::max_element(rates.begin(), rates.end());
  EXPECT_NEAR(*peak, config.lr, config.lr * 0.05);
  EXPECT_LT(rates.front(), config.lr / 10);
  EXPECT_LT(rates.back(), config.lr / 100);
  const auto metrics = read_json(result.metrics_path);
  EXPECT_EQ(metrics["config"]["recipe"], "quick");
  EXPECT_EQ(metrics["config"]["label_smoothing"].get<double>(), 0.1);
  EXPECT_NE(metrics["config"]["lr_schedule"].get<std::string>().find("one-cycle"), std::string::npos);
}

// --images-per-epoch: each epoch takes that many of the training images (a fresh draw each time), and its
// learning-rate schedule counts the steps those make.
TEST(TrainerSlow, AnEpochTrainsOnTheImagesPerEpochItWasGiven) {
  testing::TempDir dir;
  auto config = quick_config(dir, 3000, 1);  // 2,750 training images
  config.images_per_epoch = 1000;
  config.batch_size = 100;
  config.cuda_graph = false;  // every step reported
  std::vector<BatchStats> reports;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchStats& b) { reports.push_back(b); };
  const TrainResult result = Trainer(config).run(callbacks);
  ASSERT_EQ(reports.size(), 10u);
  EXPECT_EQ(reports.back().batches, 10);
  EXPECT_EQ(read_json(result.metrics_path)["config"]["images_per_epoch"], 1000);
}

// On CUDA the whole step is one captured graph: it learns as the eager step does, reports every 25 steps, and
// saves a model that reloads and scores the same (row-major weights, whatever the training layout).
TEST(TrainerSlow, CudaGraphRunLearnsAndSavesAnOrdinaryModel) {
  if (test_device() != "cuda") GTEST_SKIP() << "needs a CUDA GPU (scripts/gpu-check.sh runs it)";
  testing::TempDir dir;
  auto config = quick_config(dir, 6000, 2);
  config.test_limit = 1000;
  std::vector<BatchStats> reports;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchStats& b) { reports.push_back(b); };
  const TrainResult result = Trainer(config).run(callbacks);
  ASSERT_TRUE(result.test_accuracy.has_value());
  EXPECT_GE(*result.test_accuracy, 0.95);
  const auto metrics = read_json(result.metrics_path);
  EXPECT_TRUE(metrics["config"]["cuda_graph"].get<bool>());
  const int64_t steps = (6000 - 500) / config.batch_size;  // 42 full batches; the partial one is left out
  ASSERT_EQ(reports.size(), 4u);  // steps 25 and 42 of each epoch
  EXPECT_EQ(reports[1].batch, steps);
  EXPECT_EQ(reports[1].batches, steps);
  for (const auto& r : reports) EXPECT_GT(r.loss, 0.0);
  auto model = load_torchscript(result.model_path);
  const auto test = load_mnist(config.data_dir).test;
  const ConfusionMatrix reloaded =
      evaluate([&](const torch::Tensor& x) { return model.module.forward({x}).toTensor(); }, test, torch::kCPU, 1000);
  EXPECT_NEAR(reloaded.accuracy(), *result.test_accuracy, 0.002);
}

/// `n` 28x28 images of bytes as the network's input.
torch::Tensor input_images(const uint8_t* pixels, int64_t n) {
  return torch::from_blob(const_cast<uint8_t*>(pixels), {n, 1, kInputSide, kInputSide}, torch::kUInt8)
      .to(torch::kFloat)
      .div(255.0);
}

/// The share of `pairs` (28x28 bytes each) that `model` reads as one digit with more than `confidence`.
double share_read_surely(LoadedModel model, const std::vector<uint8_t>& pairs, float confidence) {
  torch::NoGradGuard no_grad;
  const auto x = input_images(pairs.data(), static_cast<int64_t>(pairs.size()) / (kInputSide * kInputSide));
  const auto p = model.module.forward({x}).toTensor();
  return std::get<0>(p.max(1)).gt(confidence).to(torch::kFloat).mean().item<double>();
}

TEST(TrainerSlow, NonDigitsTeachTheNetworkToDoubtTwoJoinedDigits) {
  testing::TempDir plain_dir, taught_dir;
  auto config = quick_config(plain_dir, 5000, 3);
  config.batch_size = 64;
  const TrainResult plain = Trainer(config).run();
  config.out_dir = taught_dir / "run";
  config.non_digits = 0.25;
  const TrainResult taught = Trainer(config).run();

  // Pairs of MNIST test digits, which neither run saw.
  const IdxDataset test = load_mnist(config.data_dir).test;
  const detail::JoinedDigits joined(test.pixels().data(), test.labels().data(), 2000, 1);
  const std::vector<uint8_t> pairs = joined.make(300, 1);
  for (const float confidence : {0.5f, 0.9f}) {
    const double plain_sure = share_read_surely(load_torchscript(plain.model_path), pairs, confidence);
    const double taught_sure = share_read_surely(load_torchscript(taught.model_path), pairs, confidence);
    std::printf("joined pairs read with over %.0f%% confidence: %.0f%% without non-digits, %.0f%% with them\n",
                confidence * 100, plain_sure * 100, taught_sure * 100);
    EXPECT_LT(taught_sure, 0.7 * plain_sure) << confidence;  // measured 43% against 78%, 10% against 33%
  }
  // Digits are read about as well as before.
  ASSERT_TRUE(plain.test_accuracy && taught.test_accuracy);
  EXPECT_GE(*taught.test_accuracy, *plain.test_accuracy - 0.03);
  EXPECT_EQ(read_json(taught.metrics_path)["config"]["non_digits"], 0.25);
}

// Non-digits change what every batch holds: a run cannot be continued with another share of them.
TEST(TrainerSlow, ResumeWithAnotherShareOfNonDigitsIsRefused) {
  testing::TempDir dir;
  auto config = quick_config(dir, 300, 1);
  Trainer(config).run();
  config.epochs = 2;
  config.resume = true;
  config.non_digits = 0.25;
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--non-digits"), std::string::npos) << e.what();
  }
}

// Writing styles change the training images: the setting is recorded, and a run cannot be continued with another.
TEST(TrainerSlow, WritingStylesAreRecordedAndAResumeWithAnotherShareIsRefused) {
  testing::TempDir dir;
  auto config = quick_config(dir, 300, 1);
  config.writing_styles = 0.5;
  const TrainResult result = Trainer(config).run();
  EXPECT_EQ(read_json(result.metrics_path)["config"]["writing_styles"], 0.5);
  config.epochs = 2;
  config.resume = true;
  config.writing_styles = 0.0;
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--writing-styles"), std::string::npos) << e.what();
  }
}

/// The mean Kullback-Leibler divergence KL(a || b) between two models' answers on the first `n` test images.
double answer_drift(LoadedModel a, LoadedModel b, const IdxDataset& test, int64_t n) {
  torch::NoGradGuard no_grad;
  const auto x = input_images(test.pixels().data(), n);
  const auto p = a.module.forward({x}).toTensor().clamp_min(1e-12);
  const auto q = b.module.forward({x}).toTensor().clamp_min(1e-12);
  return (p * (p.log() - q.log())).sum(1).mean().item<double>();
}

// A fine-tune that keeps its starting model's answers learns what it is taught (here, to doubt joined digits)
// while its answers on digits it never saw stay far closer to the starting model's.
TEST(TrainerSlow, KeepAnswersHoldsAFineTuneNearItsStartingModel) {
  testing::TempDir start_dir, free_dir, kept_dir;
  auto config = quick_config(start_dir, 3000, 2);
  const TrainResult start = Trainer(config).run();

  config.init_from = start.model_path;
  config.non_digits = 0.5;  // a fine-tune that pulls hard away from the start
  config.epochs = 1;
  config.out_dir = free_dir / "run";
  const TrainResult free = Trainer(config).run();
  config.keep_answers = 3.0;
  config.out_dir = kept_dir / "run";
  const TrainResult kept = Trainer(config).run();

  const IdxDataset test = load_mnist(config.data_dir).test;
  const double free_drift =
      answer_drift(load_torchscript(start.model_path), load_torchscript(free.model_path), test, 1000);
  const double kept_drift =
      answer_drift(load_torchscript(start.model_path), load_torchscript(kept.model_path), test, 1000);
  std::printf("drift from the starting model's answers on 1000 test digits: %.4f free, %.4f kept\n", free_drift,
              kept_drift);
  EXPECT_LT(kept_drift, 0.6 * free_drift);  // measured 0.091 against 0.237

  // What the fine-tune teaches is still learnt.
  const detail::JoinedDigits joined(test.pixels().data(), test.labels().data(), 2000, 1);
  const std::vector<uint8_t> pairs = joined.make(300, 1);
  const double start_sure = share_read_surely(load_torchscript(start.model_path), pairs, 0.9f);
  const double kept_sure = share_read_surely(load_torchscript(kept.model_path), pairs, 0.9f);
  std::printf("joined pairs read with over 90%% confidence: %.0f%% at the start, %.0f%% after the kept fine-tune\n",
              start_sure * 100, kept_sure * 100);
  EXPECT_LT(kept_sure, 0.7 * start_sure);  // measured 10% against 20%
  EXPECT_EQ(read_json(kept.metrics_path)["config"]["keep_answers"], 3.0);

  // A resumed run must keep the same weight, and the answers of the same starting model.
  config.resume = true;
  config.epochs = 2;
  config.keep_answers = 0.5;
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--keep-answers"), std::string::npos) << e.what();
  }
  config.keep_answers = 3.0;
  config.init_from = free.model_path;
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("SHA-256"), std::string::npos) << e.what();
  }
}

TEST(TrainerSlow, StopAfterAnEpochKeepsTheBestModel) {
  testing::TempDir dir;
  std::atomic<bool> stop{false};
  TrainCallbacks callbacks;
  callbacks.on_epoch = [&](const EpochStats&) { stop = true; };
  const auto result = Trainer(quick_config(dir, 400, 5)).run(callbacks, &stop);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.epochs_completed, 1);
  EXPECT_EQ(result.best_epoch, 1);
  EXPECT_NO_THROW(load_torchscript(result.model_path));
  EXPECT_TRUE(read_json(result.metrics_path)["stopped"].get<bool>());
}

TEST(Trainer, RejectsAnUnwritableOutputFolder) {
  testing::TempDir dir;
  std::ofstream(dir / "file") << "x";
  auto config = quick_config(dir, 200, 1);
  config.out_dir = dir / "file" / "run";
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "file" / "run").string()), std::string::npos) << e.what();
  }
}

TEST(Trainer, NamesTheMissingDataFile) {
  testing::TempDir dir;
  auto config = quick_config(dir, 200, 1);
  config.data_dir = dir / "empty";
  std::filesystem::create_directories(config.data_dir);
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("train-images-idx3-ubyte"), std::string::npos) << e.what();
  }
}

TEST(Trainer, ResumeWithoutACheckpointSaysSo) {
  testing::TempDir dir;
  auto config = quick_config(dir, 200, 1);
  config.resume = true;
  try {
    Trainer(config).run();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no checkpoint"), std::string::npos) << e.what();
  }
}

TEST(Trainer, RejectsBadSettings) {
  TrainConfig c;
  c.out_dir = "x";
  c.epochs = 0;
  EXPECT_THROW(Trainer{c}, std::runtime_error);
  c.epochs = 1;
  c.batch_size = 1;
  EXPECT_THROW(Trainer{c}, std::runtime_error);
  c.batch_size = 8;
  c.non_digits = 1.5;
  EXPECT_THROW(Trainer{c}, std::runtime_error);
  c.non_digits = 0.25;
  c.writing_styles = -0.5;
  EXPECT_THROW(Trainer{c}, std::runtime_error);
  c.writing_styles = 0.0;
  c.keep_answers = 1.0;  // with no starting model whose answers to keep
  EXPECT_THROW(Trainer{c}, std::runtime_error);
  c.init_from = "start.pt";
  c.keep_answers = -1.0;
  EXPECT_THROW(Trainer{c}, std::runtime_error);
  c.keep_answers = 1.0;  // would keep the starting model's answers on the redrawn 1s and 4s
  c.writing_styles = 0.5;
  try {
    Trainer{c};
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--keep-answers"), std::string::npos) << e.what();
  }
  c.keep_answers = 0.0;
  c.init_from.clear();
  c.device = "tpu";
  EXPECT_THROW(Trainer{c}.run(), std::runtime_error);
}

}  // namespace
}  // namespace digitlab
