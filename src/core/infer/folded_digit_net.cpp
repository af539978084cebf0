#include "infer/folded_digit_net.h"

#include "model/folded_weights.h"

#include "kernels/parallel_parts.h"
#include "kernels/simd_gemm.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace digitlab {
namespace {

/// Images a thread runs through the whole network at a time when a batch is large: the largest activation
/// (28 x 28 x 32 floats per image) then stays within a core's L2 cache.
constexpr int64_t kChunk = 4;

InputConv3x3 make_input_conv(const FoldedWeights& folded) {
  const auto& weight = folded.conv_weight.front();
  return InputConv3x3(weight.data_ptr<float>(), folded.conv_bias.front().data_ptr<float>(),
                      static_cast<int>(weight.size(0)), static_cast<float>(folded.spec.mean),
                      static_cast<float>(folded.spec.std));
}

/// Dense layer i. The first one's input columns are reordered from PyTorch's flatten order (channel, row,
/// column) to the channels-last order the pooled activations have here (row, column, channel).
DenseLayer make_dense(const FoldedWeights& folded, int i) {
  const auto& spec = folded.spec;
  auto weight = folded.dense_weight.at(static_cast<size_t>(i));
  const int64_t in = weight.size(1), out = weight.size(0);
  if (i == 0) {
    const int64_t side = spec.final_side();
    weight = weight.reshape({out, spec.block_channels.back(), side, side}).permute({0, 2, 3, 1});
  }
  weight = weight.contiguous();
  const auto& bias = folded.dense_bias.at(static_cast<size_t>(i));
  const bool hidden = i + 1 < spec.dense_count();
  return DenseLayer(weight.data_ptr<float>(), bias.data_ptr<float>(), static_cast<int>(in), static_cast<int>(out),
                    /*relu=*/hidden);
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

/// Softmax of each of `rows` rows of `classes` logits, in double.
void softmax_rows(const float* logits, int64_t rows, int64_t classes, float* probabilities) {
  std::vector<double> e(static_cast<size_t>(classes));
  for (int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * classes;
    float* p = probabilities + r * classes;
    const float top = *std::max_element(z, z + classes);
    double sum = 0;
    for (int64_t d = 0; d < classes; ++d) sum += e[d] = std::exp(static_cast<double>(z[d] - top));
    for (int64_t d = 0; d < classes; ++d) p[d] = static_cast<float>(e[d] / sum);
  }
}

/// A fixed batch of varied images (smooth ramps and stripes) in [0,1].
torch::Tensor probe_images() {
  const auto t = torch::linspace(0, 1, 4 * kInputPixels).reshape({4, 1, kInputSide, kInputSide});
  return (t * 37.0).sin().abs();
}

}  // namespace

std::string FoldedDigitNet::unsupported_reason(const ModelSpec& spec) {
  if (!simd::available()) return "this CPU lacks AVX2 and FMA";
  if (spec.input_side != kInputSide) return "its input is not " + std::to_string(kInputSide) + " pixels wide";
  if (spec.block_channels.front() % 32 != 0) {
    return "the first block has " + std::to_string(spec.block_channels.front()) +
           " filters; the fast path's first layer needs a multiple of 32";
  }
  for (const auto c : spec.block_channels) {
    if (c % 16 != 0) return "a block has " + std::to_string(c) + " filters; the fast path needs multiples of 16";
  }
  if (spec.convs_per_block < 2) return "its blocks have one convolution; the fast path's first layer cannot pool";
  return {};
}

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

FoldedDigitNet::FoldedDigitNet(const DigitNet& net) : FoldedDigitNet(fold_batch_norms(net)) {}

FoldedDigitNet::FoldedDigitNet(const FoldedWeights& folded) : spec_(folded.spec), conv1_(make_input_conv(folded)) {
  for (int i = 1; i < spec_.conv_count(); ++i) {
    const auto& weight = folded.conv_weight.at(static_cast<size_t>(i));
    convs_.emplace_back(weight.data_ptr<float>(), folded.conv_bias.at(static_cast<size_t>(i)).data_ptr<float>(),
                        static_cast<int>(weight.size(1)), static_cast<int>(weight.size(0)));
  }
  for (int i = 0; i < spec_.dense_count(); ++i) dense_.push_back(make_dense(folded, i));
}

void FoldedDigitNet::forward(const float* images, int64_t n, int threads, float* probabilities) const {
  // Two activation buffers used in turn, each large enough for the biggest layer output, the first one's.
  const int side = kInputSide;
  const size_t largest = static_cast<size_t>(n) * side * side * convs_.front().in_channels();
  float* buffers[2] = {workspace(0, largest), workspace(1, largest)};
  int size = side;
  run_parts(conv1_.parts(n, threads), threads,
            [&](int64_t begin, int64_t end) { conv1_.run(images, n, side, side, threads, begin, end, buffers[0]); });
  int current = 0;
  for (size_t i = 0; i < convs_.size(); ++i) {
    const bool pool = spec_.ends_block(static_cast<int>(i) + 1);
    const auto work = convs_[i].plan(n, size, size, pool, threads);
    const float* in = buffers[current];
    float* out = buffers[1 - current];
    run_parts(work.parts(), threads, [&](int64_t begin, int64_t end) { convs_[i].run(in, work, begin, end, out); });
    current = 1 - current;
    if (pool) size /= 2;
  }
  // The dense layers, each reading the previous one's output from one workspace.
  size_t features = 0;
  for (const auto& d : dense_) features += static_cast<size_t>(d.out_features());
  float* x = buffers[current];
  float* y = workspace(2, static_cast<size_t>(n) * features);
  for (size_t i = 0; i < dense_.size(); ++i) {
    const auto& d = dense_[i];
    run_parts(d.parts(), i + 1 < dense_.size() ? threads : 1,
              [&](int64_t begin, int64_t end) { d.run(x, n, begin, end, y); });
    x = y;
    y += n * d.out_features();
  }
  softmax_rows(x, n, spec_.num_classes, probabilities);
}

torch::Tensor FoldedDigitNet::probabilities(const torch::Tensor& images) const {
  const auto input = images.to(torch::kFloat).contiguous();
  const int64_t n = input.size(0);
  const int64_t classes = spec_.num_classes;
  auto out = torch::empty({n, classes}, torch::kFloat);
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
      forward(pixels + first * static_cast<int64_t>(kInputPixels), count, 1, probs + first * classes);
    }
  });
  return out;
}

}  // namespace digitlab
