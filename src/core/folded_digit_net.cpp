#include "folded_digit_net.h"

#include <algorithm>

namespace digitlab {
namespace {

/// Images per chunk at most when a large batch is run piece by piece: a chunk's largest activation
/// (32 x 28 x 28 floats per image) then stays within the caches.
constexpr int64_t kMaxChunk = 32;

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
  const auto t = torch::linspace(0, 1, 4 * kImageSize * kImageSize).reshape({4, 1, kImageSize, kImageSize});
  return (t * 37.0).sin().abs();
}

}  // namespace

std::optional<FoldedDigitNet> FoldedDigitNet::from_model(const LoadedModel& model) {
  if (!at::hasMKLDNN()) return std::nullopt;
  // Anything unexpected (weights that are not DigitNet's, another forward, an error from LibTorch) means the
  // TorchScript path runs the model instead, and reports its own errors naming the file.
  try {
    const DigitNet net = to_digitnet(model, "model");
    if (operation_sequence(model.module) != operation_sequence(build_torchscript(net))) return std::nullopt;
    FoldedDigitNet folded(net);
    torch::NoGradGuard no_grad;
    const auto images = probe_images();
    auto& module = const_cast<torch::jit::Module&>(model.module);  // forward() is not const in LibTorch
    const auto expected = module.forward({images}).toTensor().to(torch::kFloat);
    const auto difference = (folded.probabilities(images) - expected).abs().max().item<double>();
    if (!(difference <= kFoldTolerance)) return std::nullopt;
    return folded;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

FoldedDigitNet::FoldedDigitNet(const DigitNet& net) {
  torch::NoGradGuard no_grad;
  for (int i = 0; i < DigitNetImpl::kConvCount; ++i) {
    // BN(conv(x)) = scale * (w * x + b - mean) + beta, with scale = gamma / sqrt(var + eps) per
    // output channel; folded in double, then stored as float.
    const auto& conv = net->conv(i);
    const auto& bn = net->bn(i);
    const auto scale = bn->weight.to(torch::kDouble) / (bn->running_var.to(torch::kDouble) + bn->options.eps()).sqrt();
    const auto weight = (conv->weight.to(torch::kDouble) * scale.view({-1, 1, 1, 1})).to(torch::kFloat).contiguous();
    const auto bias = ((conv->bias.to(torch::kDouble) - bn->running_mean.to(torch::kDouble)) * scale +
                       bn->bias.to(torch::kDouble))
                          .to(torch::kFloat)
                          .contiguous();
    // The weight in the blocked layout oneDNN's convolution reads, once rather than per call.
    conv_weights_.push_back(at::mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), /*padding=*/{1, 1},
                                                             /*stride=*/{1, 1}, /*dilation=*/{1, 1},
                                                             /*groups=*/1));
    conv_biases_.push_back(bias);
  }
  fc1_weight_ = net->fc1()->weight.detach().contiguous().to_mkldnn();
  fc1_bias_ = net->fc1()->bias.detach().contiguous();
  fc2_weight_ = net->fc2()->weight.detach().contiguous().to_mkldnn();
  fc2_bias_ = net->fc2()->bias.detach().contiguous();
}

torch::Tensor FoldedDigitNet::forward_chunk(const torch::Tensor& images) const {
  auto x = ((images - kMnistMean) / kMnistStd).to_mkldnn();
  for (int i = 0; i < DigitNetImpl::kConvCount; ++i) {
    x = at::mkldnn_convolution(x, conv_weights_[i], conv_biases_[i], /*padding=*/{1, 1}, /*stride=*/{1, 1},
                               /*dilation=*/{1, 1}, /*groups=*/1);
    x.relu_();
    if (i % 2 == 1) x = at::max_pool2d(x, /*kernel_size=*/{2, 2});
  }
  // Dense layers on oneDNN too: the BLAS would start its own threads beside LibTorch's.
  x = at::mkldnn_linear(x.reshape({x.size(0), -1}), fc1_weight_, fc1_bias_);
  x.relu_();
  x = at::mkldnn_linear(x, fc2_weight_, fc2_bias_);
  return torch::softmax(x.to_dense(), /*dim=*/1);
}

torch::Tensor FoldedDigitNet::probabilities(const torch::Tensor& images) const {
  c10::InferenceMode inference;
  const int64_t n = images.size(0);
  if (n <= kMaxChunk) return forward_chunk(images);
  // Chunk by chunk, so that each layer's activations stay in the caches; every operation still runs on all of
  // LibTorch's intra-op threads.
  auto out = torch::empty({n, kNumClasses}, torch::kFloat);
  for (int64_t begin = 0; begin < n; begin += kMaxChunk) {
    const int64_t end = std::min(n, begin + kMaxChunk);
    out.slice(/*dim=*/0, begin, end).copy_(forward_chunk(images.slice(/*dim=*/0, begin, end)));
  }
  return out;
}

}  // namespace digitlab
