#include "folded_digit_net.h"

#include "parallel_parts.h"
#include "simd_gemm.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace digitlab {
namespace {

/// Images a thread runs through the whole network at a time when a batch is large: the largest activation
/// (28 x 28 x 32 floats per image) then stays within a core's L2 cache.
constexpr int64_t kChunk = 4;

/// BN(conv(x)) = scale * (w * x + b - mean) + beta, with scale = gamma / sqrt(var + eps) per output channel:
/// the folded weight (out x in x 3 x 3) and bias, computed in double and stored as float.
std::pair<torch::Tensor, torch::Tensor> fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn) {
  const auto scale = bn->weight.to(torch::kDouble) / (bn->running_var.to(torch::kDouble) + bn->options.eps()).sqrt();
  const auto weight = (conv->weight.to(torch::kDouble) * scale.view({-1, 1, 1, 1})).to(torch::kFloat).contiguous();
  const auto bias = ((conv->bias.to(torch::kDouble) - bn->running_mean.to(torch::kDouble)) * scale +
                     bn->bias.to(torch::kDouble))
                        .to(torch::kFloat)
                        .contiguous();
  return {weight, bias};
}

InputConv3x3 make_input_conv(const DigitNet& net) {
  torch::NoGradGuard no_grad;
  const auto [weight, bias] = fold(net->conv(0), net->bn(0));
  return InputConv3x3(weight.data_ptr<float>(), bias.data_ptr<float>(), static_cast<int>(weight.size(0)),
                      static_cast<float>(kMnistMean), static_cast<float>(kMnistStd));
}

/// fc1 with its input columns reordered from PyTorch's flatten order (channel, row, column) to the
/// channels-last order the pooled activations have here (row, column, channel).
DenseLayer make_fc1(const DigitNet& net) {
  torch::NoGradGuard no_grad;
  const auto& fc = net->fc1();
  const int64_t channels = DigitNetImpl::kFilters.back();
  const int64_t side = 3;  // 28 -> 14 -> 7 -> 3
  const auto weight = fc->weight.detach()
                          .reshape({fc->weight.size(0), channels, side, side})
                          .permute({0, 2, 3, 1})
                          .contiguous();
  const auto bias = fc->bias.detach().contiguous();
  return DenseLayer(weight.data_ptr<float>(), bias.data_ptr<float>(), static_cast<int>(fc->weight.size(1)),
                    static_cast<int>(fc->weight.size(0)), /*relu=*/true);
}

DenseLayer make_fc2(const DigitNet& net) {
  torch::NoGradGuard no_grad;
  const auto weight = net->fc2()->weight.detach().contiguous();
  const auto bias = net->fc2()->bias.detach().contiguous();
  return DenseLayer(weight.data_ptr<float>(), bias.data_ptr<float>(), static_cast<int>(weight.size(1)),
                    static_cast<int>(weight.size(0)), /*relu=*/false);
}

/// Per-thread activation buffers that keep their allocation between calls.
float* workspace(int which, size_t size) {
  thread_local std::vector<float> buffers[3];
  auto& b = buffers[which];
  if (b.size() < size) b.resize(size);
  return b.data();
}

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
  if (!simd::available()) return std::nullopt;
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

FoldedDigitNet::FoldedDigitNet(const DigitNet& net)
    : conv1_(make_input_conv(net)), fc1_(make_fc1(net)), fc2_(make_fc2(net)) {
  torch::NoGradGuard no_grad;
  for (int i = 1; i < DigitNetImpl::kConvCount; ++i) {
    const auto [weight, bias] = fold(net->conv(i), net->bn(i));
    convs_.emplace_back(weight.data_ptr<float>(), bias.data_ptr<float>(), static_cast<int>(weight.size(1)),
                        static_cast<int>(weight.size(0)));
  }
}

void FoldedDigitNet::forward(const float* images, int64_t n, int threads, float* probabilities) const {
  // Two activation buffers used in turn, each large enough for the biggest layer output, the first one's.
  const size_t largest = static_cast<size_t>(n) * kImageSize * kImageSize * convs_.front().in_channels();
  float* buffers[2] = {workspace(0, largest), workspace(1, largest)};
  int size = kImageSize;
  run_parts(conv1_.parts(n, threads), threads, [&](int64_t begin, int64_t end) {
    conv1_.run(images, n, kImageSize, kImageSize, threads, begin, end, buffers[0]);
  });
  int current = 0;
  for (size_t i = 0; i < convs_.size(); ++i) {
    const bool pool = i % 2 == 0;  // convolutions 2, 4 and 6 are followed by max pooling
    const auto work = convs_[i].plan(n, size, size, pool, threads);
    const float* in = buffers[current];
    float* out = buffers[1 - current];
    run_parts(work.parts(), threads, [&](int64_t begin, int64_t end) { convs_[i].run(in, work, begin, end, out); });
    current = 1 - current;
    if (pool) size /= 2;
  }
  float* hidden = workspace(2, static_cast<size_t>(n) * (fc1_.out_features() + fc2_.out_features()));
  float* logits = hidden + n * fc1_.out_features();
  run_parts(fc1_.parts(), threads, [&](int64_t begin, int64_t end) { fc1_.run(buffers[current], n, begin, end, hidden); });
  fc2_.run(hidden, n, 0, fc2_.parts(), logits);
  for (int64_t r = 0; r < n; ++r) {
    const float* z = logits + r * kNumClasses;
    float* p = probabilities + r * kNumClasses;
    const float top = *std::max_element(z, z + kNumClasses);
    double e[kNumClasses], sum = 0;
    for (int d = 0; d < kNumClasses; ++d) sum += e[d] = std::exp(static_cast<double>(z[d] - top));
    for (int d = 0; d < kNumClasses; ++d) p[d] = static_cast<float>(e[d] / sum);
  }
}

torch::Tensor FoldedDigitNet::probabilities(const torch::Tensor& images) const {
  const auto input = images.to(torch::kFloat).contiguous();
  const int64_t n = input.size(0);
  auto out = torch::empty({n, kNumClasses}, torch::kFloat);
  const int threads = at::get_num_threads();
  const float* pixels = input.data_ptr<float>();
  float* probs = out.data_ptr<float>();
  if (n < 2 * threads * kChunk) {
    forward(pixels, n, threads, probs);  // every thread on each layer of the few images
    return out;
  }
  // Many images: each thread runs whole chunks through the network, so activations stay in its own caches.
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  run_parts(chunks, threads, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const int64_t first = c * kChunk, count = std::min(kChunk, n - first);
      forward(pixels + first * kImageSize * kImageSize, count, 1, probs + first * kNumClasses);
    }
  });
  return out;
}

}  // namespace digitlab
