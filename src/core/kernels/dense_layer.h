#pragma once
// Internal to digitlab_core: a fully connected layer (y = x W^T + b, optionally ReLU) for the Predictor's fast
// path, with W packed once into the column panels simd::multiply_panel streams.

#include <cstdint>
#include <vector>

namespace digitlab {

/// Callers check simd::available() first.
class DenseLayer {
 public:
  /// weight: out x in floats in PyTorch's order; bias: out floats.
  DenseLayer(const float* weight, const float* bias, int in_features, int out_features, bool relu);

  /// Independent parts of a call: one per 16 output columns.
  int64_t parts() const { return panels_; }

  /// Runs parts [begin, end): x is rows x in_features, y is rows x out_features.
  void run(const float* x, int64_t rows, int64_t begin, int64_t end, float* y) const;

  int in_features() const { return in_; }
  int out_features() const { return out_; }

 private:
  int in_ = 0, out_ = 0, panels_ = 0;
  bool relu_ = false;
  std::vector<float> packed_;  ///< W^T as panels of in x 16.
  std::vector<float> bias_;
};

}  // namespace digitlab
