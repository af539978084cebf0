// A model file is a program: DigitLab judges it before running any of it. Hostile models made the way an attacker
// would (torch.jit.script in Python) are refused, naming the operation, and their side effects never happen; a
// model of ordinary layers trained in Python still loads.
#include <digitlab/model_safety.h>
#include <digitlab/predictor.h>
#include <digitlab/torchscript.h>

#include <gtest/gtest.h>

#include "test_helpers.h"

#include <fstream>

namespace digitlab {
namespace {

namespace fs = std::filesystem;

/// Runs Python source that saves a scripted module as sys.argv[1]; MARKER in it becomes the quoted path of the
/// file a hostile model would write (dir/marker). Returns the model's path.
fs::path python_model(const testing::TempDir& dir, const std::string& name, std::string source) {
  const std::string marker = "\"" + (dir / "marker").string() + "\"";
  for (auto at = source.find("MARKER"); at != std::string::npos; at = source.find("MARKER", at)) {
    source.replace(at, 6, marker);
  }
  const fs::path script = dir / (name + ".py");
  std::ofstream(script) << "import sys, torch, torch.nn as nn, torch.nn.functional as F\n" << source;
  const fs::path model = dir / (name + ".pt");
  const std::string output =
      testing::run_command(std::string(DIGITLAB_PYTHON) + " " + script.string() + " " + model.string() + " 2>&1");
  EXPECT_TRUE(fs::exists(model)) << "Python did not write " << model << ":\n" << output;
  return model;
}

std::string refusal(const fs::path& model) {
  try {
    load_torchscript(model);
  } catch (const UnsafeModelError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not refused as unsafe: ") + e.what();
  }
  return "loaded";
}

TEST(ModelSafety, ModelThatSavesAFileIsRefusedBeforeItRuns) {
  testing::TempDir dir;
  const auto model = python_model(dir, "saves",
                                  R"(
class Saves(nn.Module):
    def forward(self, x):
        torch.save(x, ")" + (dir / "marker").string() +
                                      R"(")
        return torch.softmax(torch.ones(x.size(0), 10), 1)
torch.jit.script(Saves()).save(sys.argv[1])
)");
  EXPECT_EQ(refusal(model), model.string() + ": refused: calls aten::save, which writes files");
  EXPECT_FALSE(fs::exists(dir / "marker")) << "the model ran";
  // Predictor, and so the CLI and the app, refuse it the same way.
  EXPECT_THROW(Predictor{model}, UnsafeModelError);
  EXPECT_FALSE(fs::exists(dir / "marker")) << "the model ran";
}

TEST(ModelSafety, ModelThatReadsOrMapsAFileIsRefused) {
  testing::TempDir dir;
  const auto model = python_model(dir, "maps", R"(
class Maps(nn.Module):
    def forward(self, x):
        t = torch.from_file(MARKER, shared=True, size=4, dtype=torch.uint8)
        t.fill_(65)
        return torch.softmax(torch.ones(x.size(0), 10) + t.sum() * 0, 1)
torch.jit.script(Maps()).save(sys.argv[1])
)");
  std::ofstream(dir / "marker") << "keep";
  EXPECT_EQ(refusal(model), model.string() + ": refused: calls aten::from_file, which reads or maps files");
  std::ifstream in(dir / "marker");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "keep");
}

TEST(ModelSafety, PrintAndEndlessLoopsAreRefused) {
  testing::TempDir dir;
  const auto prints = python_model(dir, "prints", R"(
class Prints(nn.Module):
    def forward(self, x):
        print("hello")
        return torch.softmax(torch.ones(x.size(0), 10), 1)
torch.jit.script(Prints()).save(sys.argv[1])
)");
  EXPECT_EQ(refusal(prints), prints.string() + ": refused: calls prim::Print, which prints");
  const auto loops = python_model(dir, "loops", R"(
class Loops(nn.Module):
    def forward(self, x):
        i = 0
        while True:
            i += 1
        return torch.softmax(torch.ones(x.size(0), 10), 1)
torch.jit.script(Loops()).save(sys.argv[1])
)");
  EXPECT_EQ(refusal(loops),
            loops.string() + ": refused: has a loop with no fixed bound (a while loop could run forever)");
}

TEST(ModelSafety, CodeThatRunsWhileTheFileOpensIsRefused) {
  testing::TempDir dir;
  const auto model = python_model(dir, "setstate", R"(
from typing import Tuple
class OnLoad(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.ones(1)
    @torch.jit.export
    def __getstate__(self) -> Tuple[torch.Tensor, bool]:
        return (self.w, self.training)
    @torch.jit.export
    def __setstate__(self, state: Tuple[torch.Tensor, bool]) -> None:
        torch.save(state[0], MARKER)
        self.w = state[0]
        self.training = state[1]
    def forward(self, x):
        return torch.softmax(torch.ones(x.size(0), 10), 1)
torch.jit.script(OnLoad()).save(sys.argv[1])
)");
  EXPECT_NE(refusal(model).find("defines __setstate__, which would run while the file is opened"), std::string::npos)
      << refusal(model);
  EXPECT_FALSE(fs::exists(dir / "marker")) << "__setstate__ ran";
}

TEST(ModelSafety, TrustingTheFileRunsItAnyway) {
  testing::TempDir dir;
  const auto model = python_model(dir, "prints", R"(
class Prints(nn.Module):
    def forward(self, x):
        print("hello from the model")
        return torch.softmax(torch.ones(x.size(0), 10), 1)
torch.jit.script(Prints()).save(sys.argv[1])
)");
  EXPECT_THROW(Predictor{model}, UnsafeModelError);
  const Predictor trusted(model, "cpu", /*trusted=*/true);
  EXPECT_EQ(trusted.num_classes(), 10);
}

TEST(ModelSafety, OrdinaryLayersTrainedInPythonStillLoad) {
  testing::TempDir dir;
  const std::string net = R"(
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(8, 8, 3), nn.LeakyReLU(), nn.AvgPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                               nn.Linear(8 * 6 * 6, 32), nn.ELU(), nn.GELU(), nn.Sigmoid(), nn.Tanh(), nn.Dropout(0.5),
                               nn.Linear(32, 10))
    def forward(self, x):
        x = self.f(x)
        return F.softmax(x.reshape(x.size(0), -1).view(-1, 10), dim=1)
torch.manual_seed(0)
net = Net().eval()
)";
  const auto scripted = python_model(dir, "scripted", net + "torch.jit.script(net).save(sys.argv[1])\n");
  const auto traced =
      python_model(dir, "traced", net + "torch.jit.trace(net, torch.rand(2, 1, 28, 28)).save(sys.argv[1])\n");
  for (const auto& model : {scripted, traced}) {
    const Predictor predictor(model);
    const Prediction p = predictor.predict(std::vector<float>(kInputPixels, 0.5f));
    EXPECT_EQ(p.probabilities.size(), 10u) << model;
  }
}

TEST(ModelSafety, AModelCardThatWouldInflateHugelyIsRefusedBeforeInflating) {
  testing::TempDir dir;
  torch::jit::Module module("Bomb");
  module.define(
      "def forward(self, image: Tensor) -> Tensor:\n    return torch.softmax(torch.ones([image.size(0), 10]), 1)\n");
  module.save((dir / "bomb.pt").string(), {{"digitlab.json", std::string(3 << 20, ' ')}});
  EXPECT_EQ(refusal(dir / "bomb.pt"), (dir / "bomb.pt").string() +
                                          ": refused: its extra file bomb/extra/digitlab.json would unpack to 3 MB, "
                                          "more than a model card needs");
}

TEST(ModelSafety, OutputIsCheckedOnEveryCallNotOnlyAtLoad) {
  // Two rows whatever the batch: the load-time probe (a batch of 2) passes, a batch of 3 must not read past them.
  testing::TempDir dir;
  torch::jit::Module two("TwoRows");
  two.define("def forward(self, image: Tensor) -> Tensor:\n    return torch.full([2, 10], 0.1)\n");
  two.save((dir / "two.pt").string());
  const Predictor predictor(dir / "two.pt");
  const std::vector<float> three(3 * kInputPixels, 0.5f);
  try {
    predictor.predict_batch(three, 3);
    FAIL() << "three images were answered with two rows";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "two.pt").string() +
                                         ": the model returned shape [2, 10] for 3 images, "
                                         "expected [3, 10]");
  }
}

}  // namespace
}  // namespace digitlab
