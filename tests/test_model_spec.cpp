// One model description, four builders: a network unlike the shipped one (other filters, two blocks, five
// classes) built as a LibTorch module, a TorchScript file (run in C++ and in Python), an ONNX file (run by
// OpenCV dnn) and the Predictor's fast path must all compute the same probabilities.
#include <digitlab/model_spec.h>
#include <digitlab/onnx_export.h>
#include <digitlab/predictor.h>
#include <digitlab/torchscript.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>

#include "test_helpers.h"

#include <fstream>

namespace digitlab {
namespace {

constexpr int64_t kBatch = 6;

/// 16/32 filters, two blocks, a 48-wide hidden layer, 5 classes: the fast path's first layer needs a
/// multiple of 32 filters, so it refuses this one.
ModelSpec small_spec() {
  ModelSpec spec;
  spec.block_channels = {16, 32};
  spec.hidden = {48};
  spec.num_classes = 5;
  return spec;
}

/// 32/64 filters, two blocks, two hidden layers, 5 classes: a description the fast path can run.
ModelSpec fast_spec() {
  ModelSpec spec;
  spec.block_channels = {32, 64};
  spec.hidden = {128, 32};
  spec.num_classes = 5;
  return spec;
}

/// Images with strokes of varied brightness, the same for every builder.
torch::Tensor inputs() {
  const auto t = torch::linspace(0, 1, kBatch * kInputPixels).reshape({kBatch, 1, kInputSide, kInputSide});
  return (t * 53.0).sin().abs();
}

std::vector<float> predictor_probabilities(const Predictor& predictor, const torch::Tensor& images) {
  const auto flat = images.contiguous();
  const std::vector<float> pixels(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  std::vector<float> all;
  for (const auto& p : predictor.predict_batch(pixels, kBatch)) {
    all.insert(all.end(), p.probabilities.begin(), p.probabilities.end());
  }
  return all;
}

std::vector<float> python_probabilities(const std::filesystem::path& model, const std::filesystem::path& dir) {
  std::ofstream(dir / "run.py") << "import sys, math, torch\n"
                                   "m = torch.jit.load(sys.argv[1])\n"
                                   "x = torch.linspace(0, 1, "
                                << kBatch * kInputPixels << ").reshape(" << kBatch
                                << ", 1, 28, 28)\n"
                                   "x = (x * 53.0).sin().abs()\n"
                                   "with torch.no_grad():\n"
                                   "    print(' '.join('%.9g' % v for v in m(x).flatten().tolist()))\n";
  return testing::parse_floats(
      testing::run_command(std::string(DIGITLAB_PYTHON) + " " + (dir / "run.py").string() + " " + model.string()));
}

std::vector<float> opencv_probabilities(const std::filesystem::path& model, const torch::Tensor& images) {
  auto net = cv::dnn::readNetFromONNX(model.string());
  const auto batch = images.contiguous();
  const int shape[] = {static_cast<int>(kBatch), 1, kInputSide, kInputSide};
  net.setInput(cv::Mat(4, shape, CV_32F, batch.data_ptr<float>()), "image");
  const cv::Mat out = net.forward();
  return std::vector<float>(out.ptr<float>(), out.ptr<float>() + out.total());
}

void expect_close(const std::vector<float>& actual, const torch::Tensor& expected, const std::string& runtime) {
  const auto flat = expected.flatten().contiguous();
  ASSERT_EQ(actual.size(), static_cast<size_t>(flat.numel())) << runtime << " gave a different number of values";
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], flat[static_cast<int64_t>(i)].item<float>(), 1e-5) << runtime << ", value " << i;
  }
}

/// Builds `spec` through every builder and checks them against the LibTorch module; returns the Predictor.
Predictor check_every_builder(const ModelSpec& spec, const testing::TempDir& dir) {
  auto net = testing::random_net(11, spec);
  const auto images = inputs();
  torch::NoGradGuard no_grad;
  const auto expected = net->probabilities(images);
  EXPECT_EQ(expected.size(1), spec.num_classes);

  save_torchscript(net, dir / "m.pt", "{}");
  const LoadedModel loaded = load_torchscript(dir / "m.pt");
  EXPECT_EQ(loaded.num_classes, spec.num_classes);
  expect_close(python_probabilities(dir / "m.pt", dir.path()), expected, "Python torch.jit.load");

  export_onnx(net, dir / "m.onnx", std::nullopt);
  expect_close(opencv_probabilities(dir / "m.onnx", images), expected, "OpenCV dnn on the ONNX file");

  // The file's card records the description, and DigitNet is rebuilt from it.
  EXPECT_EQ(ModelSpec::from_json(nlohmann::json::parse(loaded.model_card_json)["architecture"].dump()), spec);
  const DigitNet rebuilt = to_digitnet(loaded, dir / "m.pt");
  EXPECT_EQ(rebuilt->spec(), spec);

  Predictor predictor(dir / "m.pt");
  EXPECT_EQ(predictor.num_classes(), spec.num_classes);
  expect_close(predictor_probabilities(predictor, images), expected,
               predictor.uses_fast_path() ? "the fast path" : "the Predictor's TorchScript");
  return predictor;
}

TEST(ModelSpec, AnotherDescriptionGivesTheSameProbabilitiesInEveryBuilder) {
  testing::TempDir dir;
  const Predictor predictor = check_every_builder(small_spec(), dir);
  // The fast path has no kernels for 16 filters: it says so, and the Predictor ran the model through TorchScript.
  EXPECT_FALSE(predictor.uses_fast_path());
  EXPECT_NE(predictor.fast_path_note().find("16 filters"), std::string::npos) << predictor.fast_path_note();
}

TEST(ModelSpec, TheFastPathRunsAnotherDescriptionItHasKernelsFor) {
  testing::TempDir dir;
  const Predictor predictor = check_every_builder(fast_spec(), dir);
  if (!predictor.uses_fast_path()) GTEST_SKIP() << "no fast path on this CPU: " << predictor.fast_path_note();
  EXPECT_TRUE(predictor.fast_path_note().empty());
}

TEST(ModelSpec, ShippedModelIsTheDigitsDescription) {
  const auto path = std::filesystem::path(DIGITLAB_SOURCE_DIR) / "models/digitnet.pt";
  EXPECT_EQ(to_digitnet(load_torchscript(path), path)->spec(), ModelSpec::digits());
}

TEST(ModelSpec, JsonRoundTripsAndRejectsNonsense) {
  EXPECT_EQ(ModelSpec::from_json(small_spec().to_json()), small_spec());
  EXPECT_EQ(ModelSpec::from_json("{}"), ModelSpec::digits());
  EXPECT_THROW(ModelSpec::from_json(R"({"num_classes": 1})"), std::invalid_argument);
  EXPECT_THROW(ModelSpec::from_json(R"({"block_channels": [8, 8, 8, 8, 8, 8]})"), std::invalid_argument);
  EXPECT_THROW(ModelSpec::from_json("not json"), std::invalid_argument);
}

TEST(ModelSpec, DerivedSizesFollowTheDescription) {
  const ModelSpec digits = ModelSpec::digits();
  EXPECT_EQ(digits.conv_count(), 6);
  EXPECT_EQ(digits.final_side(), 3);
  EXPECT_EQ(digits.flat_features(), 128 * 3 * 3);
  EXPECT_EQ(digits.dense_in_features(1), 256);
  EXPECT_EQ(digits.dense_out_features(1), 10);
  EXPECT_EQ(small_spec().flat_features(), 32 * 7 * 7);
  EXPECT_EQ(small_spec().conv_in_channels(2), 16);
}

}  // namespace
}  // namespace digitlab
