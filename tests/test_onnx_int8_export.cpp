// The int8 ONNX export (`export --int8`): small, truly int8, and as accurate as the float model on MNIST.
// Accuracy is measured by a reference interpreter that reads the written file node by node
// (onnx_reference_runner.h), as the ONNX operator specifications define them; the benchmark checks the same
// file in onnxruntime (docs/benchmarks.md).
#include <digitlab/evaluator.h>
#include <digitlab/mnist.h>
#include <digitlab/onnx_export.h>
#include <digitlab/torchscript.h>

#include <gtest/gtest.h>

#include "onnx_reference_runner.h"
#include "test_helpers.h"

#include <cstdio>
#include <map>

namespace digitlab {
namespace {

using testing::shipped_model;

constexpr int64_t kCalibrationImages = 3000;

/// The shipped model exported twice, in float and in int8 (calibrated on the first 3,000 training images).
class OnnxInt8Export : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    const auto model = load_torchscript(shipped_model());
    const DigitNet net = to_digitnet(model, shipped_model());
    const auto train = load_mnist(testing::mnist_dir()).train;
    const auto calibration = images_tensor(train, 0, kCalibrationImages).to(torch::kFloat).div_(255.0);
    float_accuracy_ = model.test_accuracy.value_or(0.0);
    export_onnx(net, float_path(), model.test_accuracy);
    export_onnx_int8(net, calibration, int8_path(), model.test_accuracy);
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::filesystem::path float_path() { return *dir_ / "digitnet.onnx"; }
  static std::filesystem::path int8_path() { return *dir_ / "digitnet-int8.onnx"; }

  /// Share of the 10,000 MNIST test images the file's model reads right, run by the reference interpreter.
  static double test_accuracy(const std::filesystem::path& onnx) {
    const testing::OnnxReferenceRunner runner(onnx);
    const auto test = load_mnist(testing::mnist_dir()).test;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < 10000; begin += 250) {
      const auto x = images_tensor(test, begin, begin + 250).to(torch::kFloat).div_(255.0);
      correct += runner.run(x).argmax(1).eq(labels_tensor(test, begin, begin + 250)).sum().item<int64_t>();
    }
    return static_cast<double>(correct) / 10000.0;
  }

  static testing::TempDir* dir_;
  /// The float model's test accuracy, from its model card (ShippedModel checks the card against LibTorch).
  static double float_accuracy_;
};

testing::TempDir* OnnxInt8Export::dir_ = nullptr;
double OnnxInt8Export::float_accuracy_ = 0;

TEST_F(OnnxInt8Export, FileIsAtMostAThirdOfTheFloatFile) {
  const auto float_bytes = std::filesystem::file_size(float_path());
  const auto int8_bytes = std::filesystem::file_size(int8_path());
  EXPECT_LE(int8_bytes * 3, float_bytes) << int8_bytes << " bytes against " << float_bytes;
}

TEST_F(OnnxInt8Export, EveryConvAndGemmReadsInt8WeightsAndQuantizedActivations) {
  const testing::OnnxReferenceRunner runner(int8_path());
  const auto& graph = runner.model().graph();
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& node : graph.node()) producer[node.output(0)] = &node;
  std::map<std::string, int32_t> initializer_type;
  for (const auto& init : graph.initializer()) initializer_type[init.name()] = init.data_type();
  int layers = 0;
  for (const auto& node : graph.node()) {
    if (node.op_type() != "Conv" && node.op_type() != "Gemm") continue;
    ++layers;
    ASSERT_EQ(node.input_size(), 3) << node.name();
    for (const auto& input : node.input()) {
      ASSERT_TRUE(producer.count(input)) << node.name() << " reads " << input << " straight from an initializer";
      EXPECT_EQ(producer[input]->op_type(), "DequantizeLinear") << node.name() << " input " << input;
    }
    const auto& activation = *producer[node.input(0)];
    EXPECT_EQ(producer.at(activation.input(0))->op_type(), "QuantizeLinear") << node.name();
    EXPECT_EQ(initializer_type[producer[node.input(1)]->input(0)], onnx::TensorProto::INT8) << node.name();
    EXPECT_EQ(initializer_type[producer[node.input(2)]->input(0)], onnx::TensorProto::INT32) << node.name();
  }
  EXPECT_EQ(layers, 6 + 2);
}

TEST_F(OnnxInt8Export, EveryWeightIsInt8AndOnlyScalesAreFloat) {
  const ModelSpec spec = ModelSpec::digits();
  int64_t weights = 0;
  for (int i = 0; i < spec.conv_count(); ++i) weights += spec.conv_in_channels(i) * spec.conv_out_channels(i) * 9;
  for (int i = 0; i < spec.dense_count(); ++i) weights += spec.dense_in_features(i) * spec.dense_out_features(i);
  const testing::OnnxReferenceRunner runner(int8_path());
  int64_t float_values = 0;
  int64_t int8_weights = 0;
  for (const auto& init : runner.model().graph().initializer()) {
    const int64_t n = testing::tensor_from_proto(init).numel();
    if (init.data_type() == onnx::TensorProto::FLOAT) float_values += n;
    const bool zero_point = init.name().find(".zero_point") != std::string::npos;
    if (init.data_type() == onnx::TensorProto::INT8 && !zero_point) int8_weights += n;
  }
  EXPECT_EQ(int8_weights, weights);
  // Two scales per output channel (weight, bias), one per activation, the normalization's mean and std.
  EXPECT_LT(float_values, 2000) << "float weights left in the int8 file";
}

TEST_F(OnnxInt8Export, MetadataSaysHowItWasQuantized) {
  const testing::OnnxReferenceRunner runner(int8_path());
  std::map<std::string, std::string> meta;
  for (const auto& p : runner.model().metadata_props()) meta[p.key()] = p.value();
  EXPECT_NE(meta["quantization"].find("int8"), std::string::npos);
  EXPECT_EQ(meta["calibration_images"].substr(0, 5), "3000 ");
  EXPECT_EQ(meta["float_model_test_accuracy"].substr(0, 6), "0.9964");
  EXPECT_EQ(meta["model_name"], "DigitNet");
}

TEST_F(OnnxInt8Export, MnistTestAccuracyIsWithinATenthOfAPointOfTheFloatModel) {
  const double int8_accuracy = test_accuracy(int8_path());
  std::printf("MNIST test accuracy: float %.4f, int8 %.4f\n", float_accuracy_, int8_accuracy);
  EXPECT_GE(float_accuracy_, 0.996);
  EXPECT_GE(int8_accuracy, float_accuracy_ - 0.001) << "float " << float_accuracy_ << ", int8 " << int8_accuracy;
}

TEST_F(OnnxInt8Export, ReferenceRunnerReadsTheFloatFileAsLibTorchDoes) {
  // The accuracy above is only as good as the interpreter that measures it.
  const auto test = load_mnist(testing::mnist_dir()).test;
  const auto x = images_tensor(test, 0, 200).to(torch::kFloat).div_(255.0);
  auto net = to_digitnet(load_torchscript(shipped_model()), shipped_model());
  torch::NoGradGuard no_grad;
  const auto expected = net->probabilities(x);
  const auto probs = testing::OnnxReferenceRunner(float_path()).run(x);
  EXPECT_LE((probs - expected).abs().max().item<float>(), 1e-5f);
}

TEST(OnnxInt8ExportInput, RefusesAnEmptyOrMisshapenCalibrationSet) {
  testing::TempDir dir;
  const DigitNet net = testing::random_net(1);
  EXPECT_THROW(export_onnx_int8(net, torch::zeros({0, 1, 28, 28}), dir / "a.onnx", std::nullopt),
               std::invalid_argument);
  EXPECT_THROW(export_onnx_int8(net, torch::zeros({4, 28, 28}), dir / "b.onnx", std::nullopt), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "a.onnx"));
}

}  // namespace
}  // namespace digitlab
