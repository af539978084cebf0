#include <digitlab/torchscript.h>

#include <digitlab/atomic_write.h>

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
  std::ostringstream src;
  src.precision(17);
  src << "def forward(self, image: Tensor) -> Tensor:\n"
      << "    x = (image - " << kMnistMean << ") / " << kMnistStd << "\n";
  for (int i = 1; i <= DigitNetImpl::kConvCount; ++i) {
    const auto& bn = net->bn(i - 1)->options;
    src << "    x = torch.conv2d(x, self.conv" << i << "_weight, self.conv" << i
        << "_bias, [1, 1], [1, 1])\n"
        << "    x = torch.batch_norm(x, self.bn" << i << "_weight, self.bn" << i << "_bias, self.bn" << i
        << "_running_mean, self.bn" << i << "_running_var, False, 0.0, " << bn.eps() << ", False)\n"
        << "    x = torch.relu(x)\n";
    if (i % 2 == 0) src << "    x = torch.max_pool2d(x, [2, 2])\n";
  }
  src << "    x = torch.flatten(x, 1)\n"
      << "    x = torch.relu(torch.linear(x, self.fc1_weight, self.fc1_bias))\n"
      << "    x = torch.linear(x, self.fc2_weight, self.fc2_bias)\n"
      << "    return torch.softmax(x, 1)\n";
  return src.str();
}

/// Name and tensor of every weight the scripted module stores, in one fixed order.
std::vector<std::pair<std::string, torch::Tensor>> named_weights(const DigitNet& net) {
  std::vector<std::pair<std::string, torch::Tensor>> weights;
  for (int i = 1; i <= DigitNetImpl::kConvCount; ++i) {
    const auto& conv = net->conv(i - 1);
    const auto& bn = net->bn(i - 1);
    const std::string c = "conv" + std::to_string(i);
    const std::string b = "bn" + std::to_string(i);
    weights.insert(weights.end(), {{c + "_weight", conv->weight},
                                   {c + "_bias", conv->bias},
                                   {b + "_weight", bn->weight},
                                   {b + "_bias", bn->bias},
                                   {b + "_running_mean", bn->running_mean},
                                   {b + "_running_var", bn->running_var}});
  }
  weights.insert(weights.end(), {{"fc1_weight", net->fc1()->weight},
                                 {"fc1_bias", net->fc1()->bias},
                                 {"fc2_weight", net->fc2()->weight},
                                 {"fc2_bias", net->fc2()->bias}});
  return weights;
}

bool is_buffer_name(const std::string& name) { return name.find("running_") != std::string::npos; }

}  // namespace

torch::jit::Module build_torchscript(const DigitNet& net) {
  torch::jit::Module module("DigitNet");
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : named_weights(net)) {
    auto copy = tensor.detach().to(torch::kCPU, torch::kFloat).clone();
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

void save_torchscript(const DigitNet& net, const std::filesystem::path& path,
                      const std::string& model_card_json) {
  const auto module = build_torchscript(net);
  torch::jit::ExtraFilesMap extra{{kModelCardEntry, model_card_json}};
  write_file_atomically(path, [&](const std::filesystem::path& tmp) {
    try {
      module.save(tmp.string(), extra);
    } catch (const c10::Error& e) {
      throw std::runtime_error(first_line(e.what_without_backtrace()));
    }
  });
}

LoadedModel load_torchscript(const std::filesystem::path& path, const torch::Device& device) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error(path.string() + ": model file not found");
  }
  LoadedModel loaded;
  torch::jit::ExtraFilesMap extra{{kModelCardEntry, ""}};
  try {
    loaded.module = torch::jit::load(path.string(), device, extra);
  } catch (const std::exception& e) {  // c10::Error and errors from the TorchScript interpreter
    throw std::runtime_error(path.string() + ": not a readable TorchScript model (" + first_line(e.what()) + ")");
  }
  loaded.model_card_json = extra[kModelCardEntry].empty() ? "{}" : extra[kModelCardEntry];
  const auto card = nlohmann::json::parse(loaded.model_card_json, nullptr, /*allow_exceptions=*/false);
  if (card.is_object() && card.contains("test_accuracy") && card["test_accuracy"].is_number()) {
    loaded.test_accuracy = card["test_accuracy"].get<double>();
  }
  loaded.module.eval();

  // Probe the contract once: N x 1 x 28 x 28 in [0,1] -> N x 10 probabilities.
  torch::NoGradGuard no_grad;
  const auto probe = torch::full({2, 1, kImageSize, kImageSize}, 0.5, torch::TensorOptions(device));
  c10::IValue result;
  try {
    result = loaded.module.forward({probe});
  } catch (const std::exception& e) {  // c10::Error and errors from the TorchScript interpreter
    throw std::runtime_error(path.string() + ": model does not accept N x 1 x 28 x 28 input (" +
                             first_line(e.what()) + ")");
  }
  if (!result.isTensor()) {
    throw std::runtime_error(path.string() + ": model returns " + result.tagKind() +
                             ", expected a tensor of N x 10 probabilities");
  }
  const torch::Tensor out = result.toTensor();
  if (out.dim() != 2 || out.size(0) != 2 || out.size(1) != kNumClasses) {
    throw std::runtime_error(path.string() + ": model output has shape " + join_sizes(out.sizes()) +
                             " for a batch of 2, expected [2, 10]");
  }
  const auto sums = out.to(torch::kCPU, torch::kFloat).sum(/*dim=*/1);
  if (!torch::allclose(sums, torch::ones_like(sums), /*rtol=*/1e-3, /*atol=*/1e-3) ||
      out.min().item<float>() < 0.0f) {
    throw std::runtime_error(path.string() +
                             ": model output rows are not probabilities (they must be >= 0 and sum to 1)");
  }
  return loaded;
}

DigitNet to_digitnet(const LoadedModel& loaded, const std::filesystem::path& path) {
  std::map<std::string, torch::Tensor> stored;
  for (const auto& p : loaded.module.named_parameters(/*recurse=*/false)) stored[p.name] = p.value;
  for (const auto& b : loaded.module.named_buffers(/*recurse=*/false)) stored[b.name] = b.value;
  DigitNet net;
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : named_weights(net)) {
    const auto it = stored.find(name);
    if (it == stored.end() || !it->second.sizes().equals(tensor.sizes())) {
      throw std::runtime_error(path.string() + ": not a DigitLab DigitNet model (weight " + name +
                               (it == stored.end() ? " missing)" : " has the wrong shape)"));
    }
    tensor.copy_(it->second);
  }
  net->eval();
  return net;
}

}  // namespace digitlab
