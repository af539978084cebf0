#include <digitlab/torchscript.h>

#include <digitlab/model_safety.h>

#include "model/model_check.h"
#include "native/model_card.h"
#include "util/atomic_write.h"

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>
#include <stdexcept>

namespace digitlab {
namespace {

/// The informative line of a LibTorch error: the interpreter's final "RuntimeError: ..." line
/// when there is a TorchScript traceback, otherwise the first line.
std::string first_line(const std::string& text) {
  static const std::string kMarker = "RuntimeError: ";
  const auto marker = text.rfind(kMarker);
  const auto begin = marker == std::string::npos ? 0 : marker + kMarker.size();
  const auto end = text.find('\n', begin);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string join_sizes(c10::IntArrayRef sizes) {
  std::ostringstream out;
  out << sizes;
  return out.str();
}

/// TorchScript source of the forward pass; layer names match build_torchscript's attributes.
std::string forward_source(const DigitNet& net) {
  const ModelSpec& spec = net->spec();
  std::ostringstream src;
  src.precision(17);
  src << "def forward(self, image: Tensor) -> Tensor:\n"
      << "    x = (image - " << spec.mean << ") / " << spec.std << "\n";
  for (int i = 0; i < spec.conv_count(); ++i) {
    const std::string c = "self.conv" + std::to_string(i + 1), b = "self.bn" + std::to_string(i + 1);
    src << "    x = torch.conv2d(x, " << c << "_weight, " << c << "_bias, [1, 1], [1, 1])\n"
        << "    x = torch.batch_norm(x, " << b << "_weight, " << b << "_bias, " << b << "_running_mean, " << b
        << "_running_var, False, 0.0, " << net->bn(i)->options.eps() << ", False)\n"
        << "    x = torch.relu(x)\n";
    if (spec.ends_block(i)) src << "    x = torch.max_pool2d(x, [2, 2])\n";
  }
  src << "    x = torch.flatten(x, 1)\n";
  for (int i = 0; i < spec.dense_count(); ++i) {
    const std::string f = "self.fc" + std::to_string(i + 1);
    const bool hidden = i + 1 < spec.dense_count();
    src << "    x = " << (hidden ? "torch.relu(" : "") << "torch.linear(x, " << f << "_weight, " << f << "_bias)"
        << (hidden ? ")" : "") << "\n";
  }
  src << "    return torch.softmax(x, 1)\n";
  return src.str();
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> named_weights(const DigitNet& net) {
  std::vector<std::pair<std::string, torch::Tensor>> weights;
  for (int i = 0; i < net->spec().conv_count(); ++i) {
    const auto& conv = net->conv(i);
    const auto& bn = net->bn(i);
    const std::string c = "conv" + std::to_string(i + 1);
    const std::string b = "bn" + std::to_string(i + 1);
    weights.insert(weights.end(), {{c + "_weight", conv->weight},
                                   {c + "_bias", conv->bias},
                                   {b + "_weight", bn->weight},
                                   {b + "_bias", bn->bias},
                                   {b + "_running_mean", bn->running_mean},
                                   {b + "_running_var", bn->running_var}});
  }
  for (int i = 0; i < net->spec().dense_count(); ++i) {
    const std::string f = "fc" + std::to_string(i + 1);
    weights.insert(weights.end(), {{f + "_weight", net->dense(i)->weight}, {f + "_bias", net->dense(i)->bias}});
  }
  return weights;
}

namespace {

/// Every parameter and buffer a loaded module holds at its top level, by name.
std::map<std::string, torch::Tensor> stored_tensors(const torch::jit::Module& module) {
  std::map<std::string, torch::Tensor> stored;
  for (const auto& p : module.named_parameters(/*recurse=*/false)) stored[p.name] = p.value;
  for (const auto& b : module.named_buffers(/*recurse=*/false)) stored[b.name] = b.value;
  return stored;
}

/// The description of a DigitLab model (see card_model_spec).
ModelSpec spec_of(const LoadedModel& loaded) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, tensor] : stored_tensors(loaded.module)) shapes[name] = tensor.sizes().vec();
  return card_model_spec(loaded.model_card_json, shapes);
}

bool is_buffer_name(const std::string& name) { return name.find("running_") != std::string::npos; }

}  // namespace

torch::jit::Module build_torchscript(const DigitNet& net) {
  torch::jit::Module module("DigitNet");
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : named_weights(net)) {
    // Row-major whatever the training layout (a CUDA-graph run keeps convolution weights channels-last).
    auto copy = tensor.detach().to(torch::kCPU, torch::kFloat).clone(at::MemoryFormat::Contiguous);
    if (is_buffer_name(name)) {
      module.register_buffer(name, copy);
    } else {
      module.register_parameter(name, copy, /*is_buffer=*/false);
    }
  }
  module.define(forward_source(net));
  module.eval();
  return module;
}

void save_torchscript(const DigitNet& net, const std::filesystem::path& path, const std::string& model_card_json) {
  const auto module = build_torchscript(net);
  // Every card DigitLab writes says which card version it is and what network the file holds.
  auto card = nlohmann::json::parse(model_card_json, nullptr, /*allow_exceptions=*/false);
  if (!card.is_object()) card = nlohmann::json::object();
  card["card_version"] = kModelCardVersion;
  card["architecture"] = nlohmann::json::parse(net->spec().to_json());
  torch::jit::ExtraFilesMap extra{{kModelCardEntry, card.dump()}};
  // Serialized in memory first: LibTorch's file writer aborts the process when a write fails (a full disk), so
  // the bytes go to disk through the atomic writer, which reports it and keeps the old file.
  std::ostringstream bytes;
  try {
    module.save(bytes, extra);
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot write " + path.string() + ": " + first_line(e.what_without_backtrace()));
  }
  write_text_atomically(path, bytes.str());
}

void check_probabilities(const torch::Tensor& output, int64_t rows, int64_t classes,
                         const std::filesystem::path& model) {
  if (output.dim() != 2 || output.size(0) != rows || output.size(1) != classes) {
    throw std::runtime_error(model.string() + ": the model returned shape " + join_sizes(output.sizes()) + " for " +
                             std::to_string(rows) + " images, expected [" + std::to_string(rows) + ", " +
                             std::to_string(classes) + "]");
  }
  const auto values = output.to(torch::kCPU, torch::kFloat);
  const auto sums = values.sum(/*dim=*/1);
  if (!values.isfinite().all().item<bool>() || values.min().item<float>() < 0.0f ||
      !torch::allclose(sums, torch::ones_like(sums), /*rtol=*/1e-3, /*atol=*/1e-3)) {
    throw std::runtime_error(model.string() +
                             ": model output rows are not probabilities (they must be >= 0 and sum to 1)");
  }
}

LoadedModel load_torchscript(const std::filesystem::path& path, const torch::Device& device, bool trusted) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error(path.string() + ": model file not found");
  }
  // Judge the file before LibTorch runs any of it: first the archive, then every operation of forward.
  LoadedModel loaded;
  torch::jit::ExtraFilesMap extra{{kModelCardEntry, ""}};
  try {
    check_model_archive(path, trusted);
    loaded.module = torch::jit::load(path.string(), device, extra);
  } catch (const UnsafeModelError&) {
    throw;
  } catch (const std::exception& e) {  // c10::Error, errors from the TorchScript compiler, a corrupt archive
    throw std::runtime_error(path.string() + ": not a readable TorchScript model (" + first_line(e.what()) + ")");
  }
  if (!trusted) {
    const std::string reason = unsafe_operation(loaded.module);
    if (!reason.empty()) throw UnsafeModelError(path.string(), reason);
  }
  loaded.model_card_json = extra[kModelCardEntry].empty() ? "{}" : extra[kModelCardEntry];
  loaded.test_accuracy = card_test_accuracy(loaded.model_card_json);
  loaded.module.eval();

  // Probe the contract once: N x 1 x 28 x 28 in [0,1] -> N x C probabilities, C >= 2.
  torch::NoGradGuard no_grad;
  const auto probe = torch::full({2, 1, kInputSide, kInputSide}, 0.5, torch::TensorOptions(device));
  c10::IValue result;
  try {
    result = loaded.module.forward({probe});
  } catch (const std::exception& e) {  // c10::Error and errors from the TorchScript interpreter
    throw std::runtime_error(path.string() + ": model does not accept N x 1 x 28 x 28 input (" + first_line(e.what()) +
                             ")");
  }
  if (!result.isTensor()) {
    throw std::runtime_error(path.string() + ": model returns " + result.tagKind() +
                             ", expected a tensor of N x C probabilities");
  }
  const torch::Tensor out = result.toTensor();
  if (out.dim() != 2 || out.size(0) != 2 || out.size(1) < 2) {
    throw std::runtime_error(path.string() + ": model output has shape " + join_sizes(out.sizes()) +
                             " for a batch of 2, expected [2, C] with C >= 2 classes");
  }
  loaded.num_classes = out.size(1);
  check_probabilities(out, 2, loaded.num_classes, path);
  loaded.class_names = card_class_names(loaded.model_card_json, loaded.num_classes, path);
  return loaded;
}

DigitNet to_digitnet(const LoadedModel& loaded, const std::filesystem::path& path) {
  const auto not_ours = [&](const std::string& why) {
    return std::runtime_error(path.string() + ": not a DigitLab DigitNet model (" + why + ")");
  };
  std::optional<DigitNet> net;
  try {
    net = DigitNet(spec_of(loaded));
  } catch (const std::invalid_argument& e) {
    throw not_ours(e.what());
  }
  const auto stored = stored_tensors(loaded.module);
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : named_weights(*net)) {
    const auto it = stored.find(name);
    if (it == stored.end()) throw not_ours("weight " + name + " missing");
    if (!it->second.sizes().equals(tensor.sizes())) throw not_ours("weight " + name + " has the wrong shape");
    tensor.copy_(it->second);
  }
  (*net)->eval();
  return *net;
}

}  // namespace digitlab
