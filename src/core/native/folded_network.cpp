#include "native/folded_network.h"

#include "kernels/parallel_parts.h"
#include "kernels/simd_gemm.h"

#include <algorithm>
#include <cmath>

namespace digitlab {
namespace {

/// Images a thread runs through the whole network at a time when a batch is large: the largest activation
/// (28 x 28 x 32 floats per image) then stays within a core's L2 cache.
constexpr int64_t kChunk = 4;

InputConv3x3 make_input_conv(const FoldedArrays& folded) {
  const auto& weight = folded.conv_weight.front();
  return InputConv3x3(weight.values.data(), folded.conv_bias.front().values.data(), static_cast<int>(weight.shape[0]),
                      static_cast<float>(folded.spec.mean), static_cast<float>(folded.spec.std));
}

/// Dense layer i. The first one's input columns are reordered from PyTorch's flatten order (channel, row,
/// column) to the channels-last order the pooled activations have here (row, column, channel).
DenseLayer make_dense(const FoldedArrays& folded, int i) {
  const auto& spec = folded.spec;
  const auto& weight = folded.dense_weight.at(static_cast<size_t>(i));
  const int64_t out = weight.shape[0], in = weight.shape[1];
  std::vector<float> reordered = weight.values;
  if (i == 0) {
    const int64_t side = spec.final_side(), channels = spec.block_channels.back();
    for (int64_t o = 0; o < out; ++o) {
      const float* from = weight.values.data() + o * in;
      float* to = reordered.data() + o * in;
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t p = 0; p < side * side; ++p) to[p * channels + c] = from[c * side * side + p];
      }
    }
  }
  const bool hidden = i + 1 < spec.dense_count();
  return DenseLayer(reordered.data(), folded.dense_bias.at(static_cast<size_t>(i)).values.data(),
                    static_cast<int>(in), static_cast<int>(out), /*relu=*/hidden);
}

/// Per-thread activation buffers that keep their allocation between calls.
float* workspace(int which, size_t size) {
  thread_local std::vector<float> buffers[3];
  auto& b = buffers[which];
  if (b.size() < size) b.resize(size);
  return b.data();
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

}  // namespace

std::string FoldedNetwork::unsupported_reason(const ModelSpec& spec) {
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

FoldedNetwork::FoldedNetwork(const FoldedArrays& folded) : spec_(folded.spec), conv1_(make_input_conv(folded)) {
  for (int i = 1; i < spec_.conv_count(); ++i) {
    const auto& weight = folded.conv_weight.at(static_cast<size_t>(i));
    convs_.emplace_back(weight.values.data(), folded.conv_bias.at(static_cast<size_t>(i)).values.data(),
                        static_cast<int>(weight.shape[1]), static_cast<int>(weight.shape[0]));
  }
  for (int i = 0; i < spec_.dense_count(); ++i) dense_.push_back(make_dense(folded, i));
}

void FoldedNetwork::forward(const float* images, int64_t n, int threads, float* probabilities) const {
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

void FoldedNetwork::probabilities(const float* images, int64_t n, int threads, float* probs) const {
  threads = std::max(threads, 1);
  const int64_t classes = spec_.num_classes;
  if (n < 2 * threads * kChunk) {
    forward(images, n, threads, probs);  // every thread on each layer of the few images
    return;
  }
  // Many images: each thread runs whole chunks through the network, so activations stay in its own caches.
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  run_parts(chunks, threads, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const int64_t first = c * kChunk, count = std::min(kChunk, n - first);
      forward(images + first * static_cast<int64_t>(kInputPixels), count, 1, probs + first * classes);
    }
  });
}

}  // namespace digitlab
