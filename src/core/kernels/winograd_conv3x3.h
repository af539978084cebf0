#pragma once
// Internal to digitlab_core: a 3x3 convolution (stride 1, padding 1) with bias and ReLU, and optionally a 2x2
// max pool, computed by Winograd's minimal filtering F(2x2, 3x3) on AVX2 + FMA.
//
// Each 2x2 block of outputs ("tile") needs 16 multiplications per input and output channel pair instead of
// 36: the 4x4 input patch and the 3x3 kernel are transformed (B^T d B and G g G^T), multiplied position by
// position (16 matrix products over the channels) and transformed back (A^T m A). The products dominate, so
// the layer does about 2.25 times less arithmetic than a direct convolution. With pooling, a tile is exactly
// one pooling window, so the pool costs nothing and the tiles that pooling would drop are never computed.

#include <cstdint>
#include <vector>

namespace digitlab {

/// Activations are NHWC floats (channels innermost). Callers check simd::available() first.
class WinogradConv3x3 {
 public:
  /// weight: out x in x 3 x 3 floats in PyTorch's order; bias: out floats. in_channels must be a multiple
  /// of 8 and out_channels a multiple of 16.
  WinogradConv3x3(const float* weight, const float* bias, int in_channels, int out_channels);

  /// How one call is cut into parts that threads run independently: blocks of tiles, and for small
  /// batches also groups of output channels, so that every thread gets work even for one image.
  struct Work {
    int height = 0, width = 0;  ///< Input (and unpooled output) size.
    bool pool = false;
    int tiles_h = 0, tiles_w = 0;
    int64_t tiles = 0;
    int block = 0;  ///< Tiles per block.
    int64_t blocks = 0;
    int groups = 1;  ///< Output-channel groups.
    int64_t parts() const { return blocks * groups; }
  };
  Work plan(int64_t images, int height, int width, bool pool, int threads) const;

  /// Runs parts [begin, end) of `work`. in: images x height x width x in_channels; out: images x height x
  /// width x out_channels, or (height/2) x (width/2) when pooled. Parts write disjoint outputs.
  void run(const float* in, const Work& work, int64_t begin, int64_t end, float* out) const;

  int in_channels() const { return in_; }
  int out_channels() const { return out_; }

 private:
  void transform_input(const float* in, const Work& work, int64_t first_tile, int count, float* v) const;
  void transform_output(const float* m, const Work& work, int64_t first_tile, int count, int channel_begin,
                        int channel_count, float* out) const;

  int in_ = 0, out_ = 0;
  std::vector<float> u_;  ///< Transformed weights: 16 positions x out/16 panels x in x 16.
  std::vector<float> bias_;
};

}  // namespace digitlab
