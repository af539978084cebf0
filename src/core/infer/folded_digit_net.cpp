#include "infer/folded_digit_net.h"

#include "model/folded_weights.h"

namespace digitlab {
namespace {

/// The operations of a module's forward, in order, without constants and attribute reads: two
/// modules with the same sequence compute the same function of their weights.
std::vector<c10::Symbol> operation_sequence(const torch::jit::Module& module) {
  std::vector<c10::Symbol> ops;
  for (const torch::jit::Node* node : module.get_method("forward").graph()->nodes()) {
    if (node->kind() != c10::prim::Constant && node->kind() != c10::prim::GetAttr) ops.push_back(node->kind());
  }
  return ops;
}

/// A fixed batch of varied images (smooth ramps and stripes) in [0,1].
torch::Tensor probe_images() {
  const auto t = torch::linspace(0, 1, 4 * kInputPixels).reshape({4, 1, kInputSide, kInputSide});
  return (t * 37.0).sin().abs();
}

}  // namespace

std::optional<FoldedDigitNet> FoldedDigitNet::from_model(const LoadedModel& model, std::string* why_not) {
  const auto refuse = [&](const std::string& why) -> std::optional<FoldedDigitNet> {
    if (why_not) *why_not = why;
    return std::nullopt;
  };
  // Anything unexpected (weights that are not DigitNet's, another forward, an error from LibTorch) means the
  // TorchScript path runs the model instead, and reports its own errors naming the file.
  try {
    const DigitNet net = to_digitnet(model, "model");
    const std::string reason = unsupported_reason(net->spec());
    if (!reason.empty()) return refuse(reason);
    if (operation_sequence(model.module) != operation_sequence(build_torchscript(net))) {
      return refuse("its forward is not the one DigitLab writes");
    }
    FoldedDigitNet folded(net);
    torch::NoGradGuard no_grad;
    const auto images = probe_images();
    auto& module = const_cast<torch::jit::Module&>(model.module);  // forward() is not const in LibTorch
    const auto expected = module.forward({images}).toTensor().to(torch::kFloat);
    const auto difference = (folded.probabilities(images) - expected).abs().max().item<double>();
    if (!(difference <= kFoldTolerance)) return refuse("its probabilities differ from the model's");
    return folded;
  } catch (const std::exception&) {
    return refuse("it is not a DigitNet that DigitLab wrote");
  }
}

std::optional<FoldedDigitNet> FoldedDigitNet::from_net(const DigitNet& net) {
  if (!unsupported_reason(net->spec()).empty()) return std::nullopt;
  return FoldedDigitNet(net);
}

FoldedDigitNet::FoldedDigitNet(const DigitNet& net) : network_(fold_batch_norm_arrays(net)) {}

torch::Tensor FoldedDigitNet::probabilities(const torch::Tensor& images) const {
  const auto input = images.to(torch::kFloat).contiguous();
  const int64_t n = input.size(0);
  auto out = torch::empty({n, network_.spec().num_classes}, torch::kFloat);
  network_.probabilities(input.data_ptr<float>(), n, at::get_num_threads(), out.data_ptr<float>());
  return out;
}

}  // namespace digitlab
