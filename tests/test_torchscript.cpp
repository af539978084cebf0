#include <digitlab/torchscript.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_helpers.h"

#include <fstream>

namespace digitlab {
namespace {

/// The deterministic input both C++ and the Python check use.
torch::Tensor ramp_input() { return torch::linspace(0, 1, 2 * 28 * 28).reshape({2, 1, 28, 28}); }

torch::Tensor run(torch::jit::Module& m, const torch::Tensor& x) { return m.forward({x}).toTensor(); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TorchScript, MatchesTheTrainedModule) {
  auto net = testing::random_net(3);
  auto script = build_torchscript(net);
  const auto x = torch::rand({7, 1, 28, 28});
  const auto expected = net->probabilities(x);
  EXPECT_LT((run(script, x) - expected).abs().max().item<float>(), 1e-5f);
}

TEST(TorchScript, ReloadsInCppWithItsModelCard) {
  testing::TempDir dir;
  auto net = testing::random_net(3);
  save_torchscript(net, dir / "m.pt", R"({"name":"DigitNet","test_accuracy":0.5})");
  auto loaded = load_torchscript(dir / "m.pt");
  const auto x = torch::rand({5, 1, 28, 28});
  EXPECT_LT((run(loaded.module, x) - net->probabilities(x)).abs().max().item<float>(), 1e-5f);
  EXPECT_EQ(nlohmann::json::parse(loaded.model_card_json)["test_accuracy"], 0.5);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "m.pt") << "temporary file left behind";
  }
}

TEST(TorchScript, PythonTorchJitLoadGivesTheSameProbabilities) {
  testing::TempDir dir;
  auto net = testing::random_net(3);
  save_torchscript(net, dir / "m.pt", "{}");
  const std::string script =
      "import sys, torch\n"
      "m = torch.jit.load(sys.argv[1])\n"
      "x = torch.linspace(0, 1, 2 * 28 * 28).reshape(2, 1, 28, 28)\n"
      "with torch.no_grad():\n"
      "    print(' '.join('%.9g' % v for v in m(x).flatten().tolist()))\n";
  std::ofstream(dir / "check.py") << script;
  const std::string output = testing::run_command(std::string(DIGITLAB_PYTHON) + " " + (dir / "check.py").string() +
                                                  " " + (dir / "m.pt").string());
  const std::vector<float> python = testing::parse_floats(output);
  ASSERT_EQ(python.size(), 20u) << "Python said: " << output;
  const auto expected = net->probabilities(ramp_input()).flatten();
  for (int i = 0; i < 20; ++i) EXPECT_NEAR(python[i], expected[i].item<float>(), 1e-5) << i;
}

TEST(TorchScript, RejectsAMissingFile) {
  EXPECT_NE(
      message_of([] { load_torchscript("/nonexistent/model.pt"); }).find("/nonexistent/model.pt: model file not found"),
      std::string::npos);
}

TEST(TorchScript, RejectsAFileThatIsNotAModel) {
  testing::TempDir dir;
  std::ofstream(dir / "notes.pt") << "just some text, not a model\n";
  const auto msg = message_of([&] { load_torchscript(dir / "notes.pt"); });
  EXPECT_NE(msg.find("notes.pt: not a readable TorchScript model"), std::string::npos) << msg;
}

TEST(TorchScript, RejectsATruncatedModel) {
  testing::TempDir dir;
  save_torchscript(testing::random_net(3), dir / "full.pt", "{}");
  const auto size = std::filesystem::file_size(dir / "full.pt");
  std::filesystem::copy_file(dir / "full.pt", dir / "cut.pt");
  std::filesystem::resize_file(dir / "cut.pt", size / 2);
  const auto msg = message_of([&] { load_torchscript(dir / "cut.pt"); });
  EXPECT_NE(msg.find("cut.pt: not a readable TorchScript model"), std::string::npos) << msg;
}

TEST(TorchScript, RejectsAModelWithTheWrongOutputShape) {
  testing::TempDir dir;
  torch::jit::Module three("ThreeRows");  // answers three rows whatever the batch
  three.define("def forward(self, image: Tensor) -> Tensor:\n    return torch.softmax(torch.ones([3, 10]), 1)\n");
  three.save((dir / "three.pt").string());
  auto msg = message_of([&] { load_torchscript(dir / "three.pt"); });
  EXPECT_NE(msg.find("three.pt: model output has shape [3, 10] for a batch of 2"), std::string::npos) << msg;

  torch::jit::Module one("OneClass");
  one.define("def forward(self, image: Tensor) -> Tensor:\n    return torch.ones([image.size(0), 1])\n");
  one.save((dir / "one.pt").string());
  msg = message_of([&] { load_torchscript(dir / "one.pt"); });
  EXPECT_NE(msg.find("one.pt: model output has shape [2, 1] for a batch of 2, expected [2, C] with C >= 2 classes"),
            std::string::npos)
      << msg;
}

TEST(TorchScript, LoadsAModelWithAnyNumberOfClasses) {
  testing::TempDir dir;
  torch::jit::Module five("FiveClasses");
  five.define(
      "def forward(self, image: Tensor) -> Tensor:\n    return torch.softmax(torch.ones([image.size(0), 5]), 1)\n");
  five.save((dir / "five.pt").string());
  EXPECT_EQ(load_torchscript(dir / "five.pt").num_classes, 5);
}

TEST(TorchScript, RejectsAModelWithTheWrongInputShape) {
  testing::TempDir dir;
  torch::jit::Module rgb("Rgb");
  rgb.register_parameter("w", torch::ones({10, 3, 28, 28}), false);
  rgb.define(
      "def forward(self, image: Tensor) -> Tensor:\n"
      "    return torch.softmax(torch.conv2d(image, self.w).flatten(1), 1)\n");
  rgb.save((dir / "rgb.pt").string());
  const auto msg = message_of([&] { load_torchscript(dir / "rgb.pt"); });
  EXPECT_NE(msg.find("rgb.pt: model does not accept N x 1 x 28 x 28 input"), std::string::npos) << msg;
}

TEST(TorchScript, RejectsAModelThatDoesNotOutputProbabilities) {
  testing::TempDir dir;
  torch::jit::Module logits("Logits");
  logits.define("def forward(self, image: Tensor) -> Tensor:\n    return torch.ones([image.size(0), 10]) * 3.0\n");
  logits.save((dir / "logits.pt").string());
  const auto msg = message_of([&] { load_torchscript(dir / "logits.pt"); });
  EXPECT_NE(msg.find("logits.pt: model output rows are not probabilities"), std::string::npos) << msg;
}

}  // namespace
}  // namespace digitlab
