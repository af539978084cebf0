#include "kernels/winograd_conv3x3.h"

#include "kernels/simd_gemm.h"

#include <algorithm>
#include <stdexcept>

namespace digitlab {
namespace {

constexpr int kPositions = 16;  // a 4x4 transformed patch
using simd::kLanes;

/// Scratch floats a part may use for its transformed inputs and products, sized to stay in a core's L2 cache.
constexpr int64_t kScratchFloats = 48 * 1024;

/// Floats between two positions' matrices beyond the matrix itself. Without it the 16 matrices of a block
/// often start at multiples of 4 KiB, so they compete for the same few L1 cache sets.
constexpr size_t kPositionPad = 16;

/// Distance between two positions' matrices of rows x columns floats.
size_t position_stride(int rows, int columns) { return static_cast<size_t>(rows) * columns + kPositionPad; }

/// Per-thread scratch that keeps its allocation between calls.
std::vector<float>& scratch(int which, size_t size) {
  thread_local std::vector<float> buffers[2];
  auto& b = buffers[which];
  if (b.size() < size) b.resize(size);
  return b;
}

}  // namespace

WinogradConv3x3::WinogradConv3x3(const float* weight, const float* bias, int in_channels, int out_channels)
    : in_(in_channels), out_(out_channels), bias_(bias, bias + out_channels) {
  if (in_ % kLanes != 0 || out_ % simd::kPanelWidth != 0) {
    throw std::invalid_argument("WinogradConv3x3: channel counts must be multiples of 8 (in) and 16 (out)");
  }
  // U = G g G^T for every (out, in) pair, in double, laid out as the panels multiply_panel reads.
  static constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  const int panels = out_ / simd::kPanelWidth;
  u_.assign(static_cast<size_t>(kPositions) * out_ * in_, 0.0f);
  for (int o = 0; o < out_; ++o) {
    for (int i = 0; i < in_; ++i) {
      const float* g = weight + (static_cast<size_t>(o) * in_ + i) * 9;
      double gg[4][3];  // G g
      for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 3; ++c) gg[r][c] = G[r][0] * g[c] + G[r][1] * g[3 + c] + G[r][2] * g[6 + c];
      }
      for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 4; ++c) {
          const double value = gg[r][0] * G[c][0] + gg[r][1] * G[c][1] + gg[r][2] * G[c][2];
          const int position = r * 4 + c;
          const size_t at =
              ((static_cast<size_t>(position) * panels + o / simd::kPanelWidth) * in_ + i) * simd::kPanelWidth +
              o % simd::kPanelWidth;
          u_[at] = static_cast<float>(value);
        }
      }
    }
  }
}

WinogradConv3x3::Work WinogradConv3x3::plan(int64_t images, int height, int width, bool pool, int threads) const {
  Work w;
  w.height = height;
  w.width = width;
  w.pool = pool;
  // Pooling floors odd sizes, so the last tile row/column would be thrown away: it is not computed.
  w.tiles_h = pool ? height / 2 : (height + 1) / 2;
  w.tiles_w = pool ? width / 2 : (width + 1) / 2;
  w.tiles = images * w.tiles_h * w.tiles_w;
  if (w.tiles == 0) {  // no images, or too small to pool: nothing to run
    w.block = 1;
    return w;
  }
  // Blocks as large as the scratch allows, but of equal size, and a multiple of the threads in number, so
  // that no thread waits for another at the end of the layer.
  const int64_t largest = std::clamp<int64_t>(kScratchFloats / (kPositions * (in_ + out_)), 6, 120);
  w.blocks = (w.tiles + largest - 1) / largest;
  if (threads > 1) w.blocks = std::min(w.tiles, (w.blocks + threads - 1) / threads * threads);
  w.block = static_cast<int>((w.tiles + w.blocks - 1) / w.blocks);
  w.blocks = (w.tiles + w.block - 1) / w.block;
  // Too few blocks for the threads (one image, small layers): split the output channels as well. Each group
  // transforms the same inputs again, which costs little beside its share of the products.
  const int panels = out_ / simd::kPanelWidth;
  while (threads > 1 && w.blocks * w.groups < 2 * threads && panels % (w.groups * 2) == 0) w.groups *= 2;
  return w;
}

void WinogradConv3x3::run(const float* in, const Work& work, int64_t begin, int64_t end, float* out) const {
  const int group_channels = out_ / work.groups;
  const int panels = out_ / simd::kPanelWidth;
  const size_t v_stride = position_stride(work.block, in_), m_stride = position_stride(work.block, group_channels);
  float* v = scratch(0, kPositions * v_stride).data();
  float* m = scratch(1, kPositions * m_stride).data();
  int64_t transformed_block = -1;
  for (int64_t part = begin; part < end; ++part) {
    const int64_t b = part / work.groups;
    const int group = static_cast<int>(part % work.groups);
    const int64_t first = b * work.block;
    const int count = static_cast<int>(std::min<int64_t>(work.block, work.tiles - first));
    if (b != transformed_block) transform_input(in, work, first, count, v);  // groups of one block share it
    transformed_block = b;
    const int first_panel = group * group_channels / simd::kPanelWidth;
    for (int p = 0; p < kPositions; ++p) {
      for (int j = 0; j < group_channels / simd::kPanelWidth; ++j) {
        const float* panel = u_.data() + (static_cast<size_t>(p) * panels + first_panel + j) * in_ * simd::kPanelWidth;
        simd::multiply_panel(v + p * v_stride, in_, count, panel, in_, m + p * m_stride + j * simd::kPanelWidth,
                             group_channels);
      }
    }
    transform_output(m, work, first, count, group * group_channels, group_channels, out);
  }
}

namespace {

using simd::Float8;

/// V = B^T d B for eight channels of one 4x4 patch d, whose element (i, j) is at p + i * row + j * col;
/// V's position k goes to dst + k * stride. Written out without arrays, which GCC would keep on the stack.
DIGITLAB_SIMD_TARGET inline void input_patch(const float* p, int64_t row, int64_t col, float* dst, size_t stride) {
  // Row i of B^T d combines two rows of d: (0 - 2), (1 + 2), (2 - 1), (1 - 3).
  static constexpr int kFirst[4] = {0, 1, 2, 1}, kSecond[4] = {2, 2, 1, 3};
  static constexpr float kSign[4] = {-1, 1, -1, -1};
  for (int i = 0; i < 4; ++i) {
    const float* a = p + kFirst[i] * row;
    const float* b = p + kSecond[i] * row;
    const float sign = kSign[i];
    const Float8 t0 = simd::load8(a) + sign * simd::load8(b);
    const Float8 t1 = simd::load8(a + col) + sign * simd::load8(b + col);
    const Float8 t2 = simd::load8(a + 2 * col) + sign * simd::load8(b + 2 * col);
    const Float8 t3 = simd::load8(a + 3 * col) + sign * simd::load8(b + 3 * col);
    float* out = dst + i * 4 * stride;
    simd::store8(out, t0 - t2);
    simd::store8(out + stride, t1 + t2);
    simd::store8(out + 2 * stride, t2 - t1);
    simd::store8(out + 3 * stride, t1 - t3);
  }
}

/// Y = A^T m A (2x2) for eight channels, m's position k at src + k * stride.
struct Outputs {
  Float8 y00, y01, y10, y11;
};
DIGITLAB_SIMD_TARGET inline Outputs output_patch(const float* src, size_t stride) {
  auto q = [&](int i, int j) DIGITLAB_SIMD_TARGET { return simd::load8(src + (i * 4 + j) * stride); };
  // Column j of A^T m: s0j = m0j + m1j + m2j, s1j = m1j - m2j - m3j.
  Float8 s0[4], s1[4];
  for (int j = 0; j < 4; ++j) {
    const Float8 m1 = q(1, j), m2 = q(2, j);
    s0[j] = q(0, j) + m1 + m2;
    s1[j] = m1 - m2 - q(3, j);
  }
  return {s0[0] + s0[1] + s0[2], s0[1] - s0[2] - s0[3], s1[0] + s1[1] + s1[2], s1[1] - s1[2] - s1[3]};
}

DIGITLAB_SIMD_TARGET inline Float8 max8(Float8 a, Float8 b) { return a > b ? a : b; }

}  // namespace

DIGITLAB_SIMD_TARGET void WinogradConv3x3::transform_input(const float* in, const Work& work, int64_t first_tile,
                                                           int count, float* v) const {
  const int h = work.height, w = work.width;
  const int64_t per_image = static_cast<int64_t>(work.tiles_h) * work.tiles_w;
  const size_t stride = position_stride(work.block, in_);
  float patch[4 * 4 * kLanes];  // a border patch with its zero padding
  for (int r = 0; r < count; ++r) {
    const int64_t t = first_tile + r;
    const int64_t image = t / per_image;
    const int ty = static_cast<int>(t % per_image) / work.tiles_w;
    const int tx = static_cast<int>(t % per_image) % work.tiles_w;
    const int y0 = 2 * ty - 1, x0 = 2 * tx - 1;  // the 4x4 patch's corner, padding included
    const float* corner = in + ((image * h + y0) * w + x0) * in_;
    const bool inside = y0 >= 0 && x0 >= 0 && y0 + 3 < h && x0 + 3 < w;
    float* dst = v + static_cast<size_t>(r) * in_;
    for (int c = 0; c < in_; c += kLanes) {
      if (inside) {
        input_patch(corner + c, static_cast<int64_t>(w) * in_, in_, dst + c, stride);
        continue;
      }
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
          const int y = y0 + i, x = x0 + j;
          const bool real = y >= 0 && y < h && x >= 0 && x < w;
          simd::store8(patch + (i * 4 + j) * kLanes,
                       real ? simd::load8(corner + (static_cast<int64_t>(i) * w + j) * in_ + c) : Float8{});
        }
      }
      input_patch(patch, 4 * kLanes, kLanes, dst + c, stride);
    }
  }
}

DIGITLAB_SIMD_TARGET void WinogradConv3x3::transform_output(const float* m, const Work& work, int64_t first_tile,
                                                            int count, int channel_begin, int channel_count,
                                                            float* out) const {
  const int h = work.height, w = work.width;
  const int out_h = work.pool ? h / 2 : h, out_w = work.pool ? w / 2 : w;
  const int64_t per_image = static_cast<int64_t>(work.tiles_h) * work.tiles_w;
  const size_t stride = position_stride(work.block, channel_count);
  for (int r = 0; r < count; ++r) {
    const int64_t t = first_tile + r;
    const int64_t image = t / per_image;
    const int ty = static_cast<int>(t % per_image) / work.tiles_w;
    const int tx = static_cast<int>(t % per_image) % work.tiles_w;
    float* image_out = out + image * out_h * out_w * out_;
    const float* src = m + static_cast<size_t>(r) * channel_count;
    for (int c = 0; c < channel_count; c += kLanes) {
      const Outputs y = output_patch(src + c, stride);
      const Float8 bias = simd::load8(bias_.data() + channel_begin + c);
      const int channel = channel_begin + c;
      if (work.pool) {  // max(relu(a + bias), ...) = relu(max(a, ...) + bias)
        const Float8 best = max8(max8(y.y00, y.y01), max8(y.y10, y.y11));
        simd::store8(image_out + (static_cast<int64_t>(ty) * out_w + tx) * out_ + channel, simd::relu8(best + bias));
        continue;
      }
      const Float8 values[2][2] = {{y.y00, y.y01}, {y.y10, y.y11}};
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
          const int oy = 2 * ty + i, ox = 2 * tx + j;
          if (oy >= out_h || ox >= out_w) continue;
          simd::store8(image_out + (static_cast<int64_t>(oy) * out_w + ox) * out_ + channel,
                       simd::relu8(values[i][j] + bias));
        }
      }
    }
  }
}

}  // namespace digitlab
