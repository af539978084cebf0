// Independent runtimes check DigitLab's model files: OpenCV's dnn module runs the ONNX export and
// Python's torch.jit.load runs the TorchScript file; both must agree with LibTorch.
#include <digitlab/evaluator.h>
#include <digitlab/mnist.h>
#include <digitlab/onnx_export.h>
#include <digitlab/torchscript.h>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <opencv2/dnn.hpp>

#include "test_helpers.h"

#include <fstream>

namespace digitlab {
namespace {

using testing::shipped_model;

constexpr int64_t kImages = 200;

/// The bundled model: meaningful, confident predictions make argmax agreement a real check.

class OnnxExport : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(shipped_model())) << shipped_model() << " is missing";
    net_ = to_digitnet(load_torchscript(shipped_model()), shipped_model());
    onnx_path_ = dir_ / "digitnet.onnx";
    export_onnx(net_, onnx_path_, 0.996);
    const auto test = load_mnist(testing::mnist_dir()).test;
    images_ = images_tensor(test, 0, kImages).to(torch::kFloat).div_(255.0);
    torch::NoGradGuard no_grad;
    expected_ = net_->probabilities(images_);
  }

  /// OpenCV dnn's probabilities for images [begin, begin + n).
  torch::Tensor opencv_probabilities(cv::dnn::Net& net, int64_t begin, int64_t n) {
    const auto batch = images_.slice(0, begin, begin + n).contiguous();
    const int shape[] = {static_cast<int>(n), 1, 28, 28};
    cv::Mat blob(4, shape, CV_32F, batch.data_ptr<float>());
    net.setInput(blob, "image");
    cv::Mat out = net.forward();
    EXPECT_EQ(out.total(), static_cast<size_t>(n * 10));
    return torch::from_blob(out.ptr<float>(), {n, 10}, torch::kFloat).clone();
  }

  testing::TempDir dir_;
  DigitNet net_{nullptr};
  std::filesystem::path onnx_path_;
  torch::Tensor images_;
  torch::Tensor expected_;
};

TEST_F(OnnxExport, OpenCvDnnAgreesWithLibTorchOn200MnistImages) {
  auto net = cv::dnn::readNetFromONNX(onnx_path_.string());
  ASSERT_FALSE(net.empty());
  const auto probs = opencv_probabilities(net, 0, kImages);
  EXPECT_TRUE(torch::equal(probs.argmax(1), expected_.argmax(1)));
  EXPECT_LE((probs - expected_).abs().max().item<float>(), 1e-5f);
}

TEST_F(OnnxExport, BatchSizesOneSevenAndTwoHundredAllWork) {
  auto net = cv::dnn::readNetFromONNX(onnx_path_.string());
  for (const int64_t n : {1, 7, 200}) {
    const auto probs = opencv_probabilities(net, 0, n);
    EXPECT_LE((probs - expected_.slice(0, 0, n)).abs().max().item<float>(), 1e-5f) << "batch " << n;
  }
}

TEST_F(OnnxExport, FileDeclaresItsContract) {
  onnx::ModelProto model;
  std::ifstream in(onnx_path_, std::ios::binary);
  ASSERT_TRUE(model.ParseFromIstream(&in));
  EXPECT_EQ(model.ir_version(), 7);
  ASSERT_EQ(model.opset_import_size(), 1);
  EXPECT_EQ(model.opset_import(0).version(), 13);
  const auto& input = model.graph().input(0);
  EXPECT_EQ(input.name(), "image");
  EXPECT_EQ(input.type().tensor_type().shape().dim(0).dim_param(), "N");
  EXPECT_EQ(input.type().tensor_type().shape().dim(1).dim_value(), 1);
  EXPECT_EQ(model.graph().output(0).name(), "probabilities");
  EXPECT_EQ(model.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 10);
  std::map<std::string, std::string> meta;
  for (const auto& p : model.metadata_props()) meta[p.key()] = p.value();
  EXPECT_EQ(meta["model_name"], "DigitNet");
  EXPECT_EQ(meta["test_accuracy"].substr(0, 5), "0.996");
  EXPECT_NE(meta["input_contract"].find("white digit on black"), std::string::npos);
  EXPECT_FALSE(meta["digitlab_version"].empty());
  EXPECT_EQ(meta["class_names"], R"(["0","1","2","3","4","5","6","7","8","9"])");
}

TEST_F(OnnxExport, PythonTorchJitLoadGivesTheSameProbabilities) {
  // Python reads the same 200 MNIST test images itself and runs them in batches of 1, 7 and 200.
  const std::string script = R"PY(
import gzip, sys, numpy as np, torch
model = torch.jit.load(sys.argv[1])
raw = gzip.open(sys.argv[2]).read()
images = np.frombuffer(raw, dtype=np.uint8, offset=16)[:200 * 784].reshape(200, 1, 28, 28)
x = torch.from_numpy(images.astype(np.float32) / 255.0)
with torch.no_grad():
    for n in (1, 7, 200):
        for row in model(x[:n]):
            print(' '.join('%.9g' % v for v in row.tolist()))
)PY";
  std::ofstream(dir_ / "check.py") << script;
  const auto images_file = find_mnist_file(testing::mnist_dir(), "t10k-images-idx3-ubyte");
  ASSERT_TRUE(images_file.has_value());
  ASSERT_EQ(images_file->extension(), ".gz");
  const std::string output = testing::run_command(std::string(DIGITLAB_PYTHON) + " " + (dir_ / "check.py").string() +
                                                  " " + shipped_model().string() + " " + images_file->string());
  const std::vector<float> python = testing::parse_floats(output);
  ASSERT_EQ(python.size(), static_cast<size_t>((1 + 7 + 200) * 10)) << output.substr(0, 500);
  auto loaded = load_torchscript(shipped_model());
  torch::NoGradGuard no_grad;
  const auto ours = loaded.module.forward({images_}).toTensor();
  size_t k = 0;
  for (const int64_t n : {1, 7, 200}) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < 10; ++c) EXPECT_NEAR(python[k++], ours[i][c].item<float>(), 1e-5) << n << ":" << i;
  }
}

}  // namespace
}  // namespace digitlab

namespace digitlab {
namespace {

// The bundled model: what a new user gets without training anything.
TEST(ShippedModel, ReadsAtLeast99_6PercentOfTheMnistTestSetAndItsOnnxTwinAgrees) {
  const auto models = std::filesystem::path(DIGITLAB_SOURCE_DIR) / "models";
  auto torchscript = load_torchscript(models / "digitnet.pt");
  auto onnx = cv::dnn::readNetFromONNX((models / "digitnet.onnx").string());
  const auto test = load_mnist(testing::mnist_dir()).test;
  ASSERT_EQ(test.size(), 10000u);

  int64_t correct = 0;
  int64_t disagreements = 0;
  torch::NoGradGuard no_grad;
  for (int64_t begin = 0; begin < 10000; begin += 1000) {
    const auto x = images_tensor(test, begin, begin + 1000).to(torch::kFloat).div_(255.0).contiguous();
    const auto y = labels_tensor(test, begin, begin + 1000);
    const auto ours = torchscript.module.forward({x}).toTensor().argmax(1);
    correct += ours.eq(y).sum().item<int64_t>();
    const int shape[] = {1000, 1, 28, 28};
    onnx.setInput(cv::Mat(4, shape, CV_32F, x.data_ptr<float>()), "image");
    cv::Mat out = onnx.forward();
    const auto theirs = torch::from_blob(out.ptr<float>(), {1000, 10}, torch::kFloat).argmax(1);
    disagreements += theirs.ne(ours).sum().item<int64_t>();
  }
  const double accuracy = static_cast<double>(correct) / 10000.0;
  EXPECT_GE(accuracy, 0.996);
  EXPECT_EQ(disagreements, 0);
  // The model card inside the file states the accuracy this test measures.
  ASSERT_TRUE(torchscript.test_accuracy.has_value());
  EXPECT_DOUBLE_EQ(*torchscript.test_accuracy, accuracy);
}

}  // namespace
}  // namespace digitlab
