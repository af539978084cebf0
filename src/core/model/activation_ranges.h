#pragma once
// Calibration for int8 export: how large each activation an int8 graph quantizes grows on real images.

#include "model/folded_weights.h"

#include <torch/torch.h>

#include <vector>

namespace digitlab {

/// The upper end of each quantized activation's range. Every one follows a ReLU, so its lower end is 0.
struct ActivationRanges {
  std::vector<float> conv;    ///< relu(conv i), per conv; max pooling keeps the range.
  std::vector<float> hidden;  ///< relu(dense i), per hidden dense layer.
};

/// Runs the folded network on `images` (N x 1 x side x side, values in [0,1], N >= 1) in batches and records
/// the largest value of each activation. Throws std::invalid_argument for an empty or wrongly shaped batch.
ActivationRanges calibrate_activations(const FoldedWeights& w, const torch::Tensor& images);

}  // namespace digitlab
