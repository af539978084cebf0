#pragma once

#include <torch/torch.h>

namespace digitlab {

/// Augmentation ranges: rotation +-degrees, shift +-fraction of the side, zoom +-fraction.
struct AugmentRanges {
  double rotation_degrees = 10.0;
  double shift = 0.10;
  double zoom = 0.10;
};

/// Where an Augmenter draws its random numbers.
enum class AugmentRandom {
  kCpu,    ///< the default CPU generator: a seeded run repeats exactly on any device
  kBatch,  ///< the batch's own device, so that a CUDA graph can capture the draws
};

/// Random rotation, shift and zoom of a whole batch at once, on the batch's device
/// (one affine grid plus grid_sample).
class Augmenter {
 public:
  explicit Augmenter(AugmentRanges ranges = AugmentRanges{}, AugmentRandom random = AugmentRandom::kCpu);

  /// Returns an augmented copy of x (N x 1 x H x W, values in [0,1]); strength scales
  /// every range (0 gives back the input, 1 the full ranges).
  torch::Tensor operator()(const torch::Tensor& x, double strength = 1.0) const;

  /// The N x 2 x 3 affine matrices (output -> input coordinates) for the given parameters.
  static torch::Tensor affine_matrices(const torch::Tensor& angle_radians, const torch::Tensor& scale,
                                       const torch::Tensor& shift_x, const torch::Tensor& shift_y);

 private:
  AugmentRanges ranges_;
  AugmentRandom random_;
};

}  // namespace digitlab
