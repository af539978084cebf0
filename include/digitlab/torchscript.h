#pragma once

#include <digitlab/digit_net.h>

#include <torch/script.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// Name of the JSON model card stored inside every TorchScript file DigitLab writes.
constexpr const char* kModelCardEntry = "digitlab.json";
/// Version of the model card's fields; save_torchscript() stores it as "card_version", beside the
/// network's ModelSpec as "architecture". Bump it when the card's fields change.
constexpr int kModelCardVersion = 2;

/// Builds a standalone TorchScript module from a trained DigitNet: its weights as parameters and
/// buffers, and a scripted forward (N x 1 x 28 x 28 in [0,1] -> N x C probabilities) that needs
/// no DigitLab code, so Python's torch.jit.load and C++'s torch::jit::load both run it.
torch::jit::Module build_torchscript(const DigitNet& net);

/// Name and tensor of every weight build_torchscript stores ("conv1_weight", "bn1_running_var", "fc2_bias"...), in one
/// fixed order.
std::vector<std::pair<std::string, torch::Tensor>> named_weights(const DigitNet& net);

/// Writes build_torchscript(net) to path (temporary name, then rename) with model_card_json
/// stored as the extra file kModelCardEntry, with "card_version" and "architecture" set. Throws
/// std::runtime_error naming the path.
void save_torchscript(const DigitNet& net, const std::filesystem::path& path, const std::string& model_card_json);

/// A loaded TorchScript digit model and its model card ("{}" when it has none).
struct LoadedModel {
  torch::jit::Module module;
  std::string model_card_json;
  std::optional<double> test_accuracy;  ///< From the model card, when it records one.
  int64_t num_classes = 0;              ///< Columns of the model's output, found by the load-time probe.
  /// num_classes names: the card's "architecture"."class_names" (DigitLab's models) or "class_names" (a card a
  /// Python user wrote), else the class indices ("0".."9" for a digit model).
  std::vector<std::string> class_names;
};

/// Loads a TorchScript model onto device and checks the contract with a probe batch
/// (2 x 1 x 28 x 28 -> 2 x C probabilities, C >= 2). Before running any of it, the file is judged (see
/// model_safety.h): unless `trusted`, a model that could do more than compute is refused with UnsafeModelError.
/// Throws std::runtime_error naming the file when it is missing, unreadable, not TorchScript, or breaks the
/// contract.
LoadedModel load_torchscript(const std::filesystem::path& path, const torch::Device& device = torch::kCPU,
                             bool trusted = false);

/// Throws std::runtime_error naming `model` unless `output` is `rows` x `classes` finite probabilities (each row
/// >= 0, summing to 1): a model's output is checked on every call, not only at load.
void check_probabilities(const torch::Tensor& output, int64_t rows, int64_t classes,
                         const std::filesystem::path& model);

/// Rebuilds a DigitNet from a TorchScript model that DigitLab wrote (for re-export, e.g. to ONNX),
/// loaded from path, with the ModelSpec its card records (older cards: read off the weight shapes). Throws
/// std::runtime_error naming path when the model was not written by DigitLab (a model from elsewhere lacks the named
/// DigitNet weights).
DigitNet to_digitnet(const LoadedModel& model, const std::filesystem::path& path);

}  // namespace digitlab
