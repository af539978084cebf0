#include <digitlab/predictor.h>

#include <digitlab/mnist.h>
#include <digitlab/torchscript.h>

#include <gtest/gtest.h>

#include "test_helpers.h"

#include <cstdlib>
#include <fstream>
#include <thread>

namespace digitlab {
namespace {

using testing::shipped_model;

/// The first n MNIST test images as floats in [0,1], and their labels.
std::pair<std::vector<float>, std::vector<int>> test_images(size_t n) {
  const auto test = load_mnist(testing::mnist_dir()).test;
  std::vector<float> pixels(n * kInputPixels);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = test.pixels()[i] / 255.0f;
  return {pixels, std::vector<int>(test.labels().begin(), test.labels().begin() + static_cast<long>(n))};
}

/// Largest difference between the Predictor's probabilities and the plain (not frozen) TorchScript
/// module's for the first count images.
double largest_difference(const Predictor& predictor, torch::jit::Module& module, const std::vector<float>& pixels,
                          size_t count) {
  std::vector<float> first(pixels.begin(), pixels.begin() + static_cast<long>(count * kInputPixels));
  const auto predictions = predictor.predict_batch(first, count);
  torch::NoGradGuard no_grad;
  const auto input = torch::from_blob(first.data(), {static_cast<int64_t>(count), 1, kInputSide, kInputSide});
  const auto expected = module.forward({input}).toTensor();
  double worst = 0;
  for (size_t i = 0; i < count; ++i) {
    for (int d = 0; d < 10; ++d) {
      const double e = expected[static_cast<int64_t>(i)][d].item<double>();
      worst = std::max(worst, std::abs(static_cast<double>(predictions[i].probabilities[d]) - e));
    }
  }
  return worst;
}

std::vector<float> image_at(const std::vector<float>& pixels, size_t i) {
  return {pixels.begin() + static_cast<long>(i * kInputPixels),
          pixels.begin() + static_cast<long>((i + 1) * kInputPixels)};
}

TEST(Predictor, ReadsMnistDigitsCorrectly) {
  const Predictor predictor(shipped_model());
  const auto [pixels, labels] = test_images(500);
  const auto predictions = predictor.predict_batch(pixels, 500);
  ASSERT_EQ(predictions.size(), 500u);
  int correct = 0;
  for (size_t i = 0; i < 500; ++i) correct += predictions[i].label == labels[i];
  EXPECT_GE(correct, 495);
  EXPECT_GT(predictor.test_accuracy(), 0.99);
}

TEST(Predictor, SingleAndBatchPredictionsAgree) {
  const Predictor predictor(shipped_model());
  const auto [pixels, labels] = test_images(7);
  const auto batch = predictor.predict_batch(pixels, 7);
  for (size_t i = 0; i < 7; ++i) {
    const Prediction single = predictor.predict(image_at(pixels, i));
    EXPECT_EQ(single.label, batch[i].label);
    for (int d = 0; d < 10; ++d) EXPECT_NEAR(single.probabilities[d], batch[i].probabilities[d], 1e-5);
  }
}

TEST(Predictor, FastPathGivesTheTorchScriptModulesProbabilities) {
  testing::TempDir dir;
  save_torchscript(testing::random_net(5), dir / "random.pt", "{}");
  const auto [pixels, labels] = test_images(200);
  for (const auto& model : {shipped_model(), dir / "random.pt"}) {
    const Predictor predictor(model);
    EXPECT_TRUE(predictor.uses_fast_path()) << model;
    auto module = torch::jit::load(model.string());
    module.eval();
    for (const size_t count : {1, 7, 200}) {
      EXPECT_LE(largest_difference(predictor, module, pixels, count), 1e-5) << model << ", batch " << count;
    }
  }
}

TEST(Predictor, FastPathGivesTheSameProbabilitiesOnAnyNumberOfThreads) {
  // Small batches split each layer over the threads, large ones give each thread whole images: odd thread
  // counts and batch sizes leave uneven parts.
  const Predictor predictor(shipped_model());
  ASSERT_TRUE(predictor.uses_fast_path());
  auto module = torch::jit::load(shipped_model().string());
  module.eval();
  const auto [pixels, labels] = test_images(61);
  const int before = at::get_num_threads();
  for (const int threads : {1, 2, 3}) {
    at::set_num_threads(threads);
    for (const size_t count : {1, 3, 61}) {
      EXPECT_LE(largest_difference(predictor, module, pixels, count), 1e-5) << threads << " threads, batch " << count;
    }
  }
  at::set_num_threads(before);
}

TEST(Predictor, DigitNetWeightsWithAnotherForwardRunThroughTorchScript) {
  // A user's model that reuses DigitNet's weight names but computes something else (here: no
  // input normalization) must not be taken for DigitNet.
  testing::TempDir dir;
  auto other = testing::digitnet_weights_with_another_forward("NotDigitNet", "relu");
  other.save((dir / "other.pt").string());

  const Predictor predictor(dir / "other.pt");
  EXPECT_FALSE(predictor.uses_fast_path());
  const auto [pixels, labels] = test_images(7);
  EXPECT_LE(largest_difference(predictor, other, pixels, 7), 1e-5);
}

TEST(Predictor, TopThreeAreTheMostProbableClassesInOrder) {
  const Predictor predictor(shipped_model());
  const auto [pixels, labels] = test_images(1);
  const Prediction p = predictor.predict(pixels);
  const std::vector<int> top3 = top_classes(p, 3);
  ASSERT_EQ(top3.size(), 3u);
  ASSERT_EQ(p.probabilities.size(), 10u);
  EXPECT_EQ(predictor.num_classes(), 10);
  EXPECT_EQ(p.label, labels[0]);
  EXPECT_EQ(top3[0], p.label);
  EXPECT_GE(p.probabilities[top3[0]], p.probabilities[top3[1]]);
  EXPECT_GE(p.probabilities[top3[1]], p.probabilities[top3[2]]);
  for (int d = 0; d < 10; ++d) {
    if (d != top3[0] && d != top3[1] && d != top3[2]) {
      EXPECT_LE(p.probabilities[d], p.probabilities[top3[2]]);
    }
  }
  float sum = 0;
  for (const float v : p.probabilities) sum += v;
  EXPECT_NEAR(sum, 1.0f, 1e-5f);
  EXPECT_GT(p.confidence(), 0.9f);
}

TEST(Predictor, RejectsAWrongPixelCount) {
  const Predictor predictor(shipped_model());
  EXPECT_THROW(predictor.predict(std::vector<float>(100)), std::invalid_argument);
  EXPECT_THROW(predictor.predict_batch(std::vector<float>(784 * 3), 2), std::invalid_argument);
}

TEST(Predictor, ConcurrentCallsGiveTheSameAnswers) {
  const Predictor predictor(shipped_model());
  const auto [pixels, labels] = test_images(50);
  const auto reference = predictor.predict_batch(pixels, 50);
  std::atomic<int> mismatches{0};
  const auto worker = [&] {
    for (size_t i = 0; i < 50; ++i) {
      const auto p = predictor.predict(image_at(pixels, i));
      if (p.label != reference[i].label || std::abs(p.confidence() - reference[i].confidence()) > 1e-5f) ++mismatches;
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Predictor, LoadsAModelTrainedInPython) {
  testing::TempDir dir;
  // A user's own model: any TorchScript module with the same contract.
  const std::string script = R"PY(
import sys, torch
class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc = torch.nn.Linear(784, 10)
    def forward(self, x):
        return torch.softmax(self.fc(x.flatten(1)), 1)
m = torch.jit.script(Tiny().eval())
m.save(sys.argv[1])
x = torch.linspace(0, 1, 784).reshape(1, 1, 28, 28)
print(int(m(x).argmax()), float(m(x).max()))
)PY";
  std::ofstream(dir / "tiny.py") << script;
  const std::string cmd = std::string(DIGITLAB_PYTHON) + " " + (dir / "tiny.py").string() + " " +
                          (dir / "tiny.pt").string() + " > " + (dir / "out.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  int python_digit = -1;
  float python_confidence = 0;
  std::ifstream(dir / "out.txt") >> python_digit >> python_confidence;
  const Predictor predictor(dir / "tiny.pt");
  std::vector<float> ramp(kInputPixels);
  for (size_t i = 0; i < kInputPixels; ++i) ramp[i] = static_cast<float>(i) / (kInputPixels - 1);
  const Prediction p = predictor.predict(ramp);
  EXPECT_EQ(p.label, python_digit);
  EXPECT_NEAR(p.confidence(), python_confidence, 1e-5);
  EXPECT_LT(predictor.test_accuracy(), 0.0);  // no model card: unknown
  EXPECT_FALSE(predictor.uses_fast_path());
}

TEST(Predictor, RejectsFilesThatAreNotDigitModels) {
  testing::TempDir dir;
  std::ofstream(dir / "empty.pt");
  std::ofstream(dir / "text.pt") << "hello";
  for (const char* name : {"empty.pt", "text.pt", "missing.pt"}) {
    try {
      Predictor p(dir / name);
      FAIL() << name << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace digitlab
