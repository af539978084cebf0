#pragma once
// Internal to digitlab_core: DigitNet's weights with each batch norm folded into the convolution before it, as plain
// arrays (no LibTorch). FoldedNetwork runs them; model/folded_weights.h gives the same as tensors.

#include "native/torchscript_archive.h"

#include <digitlab/model_spec.h>

#include <map>
#include <string>
#include <vector>

namespace digitlab {

/// Conv i computes relu(conv_weight[i] * x + conv_bias[i]), which is relu(bn(conv(x))) of the trained network; the
/// dense layers are unchanged. conv_weight: out x in x 3 x 3; dense_weight: out x in.
struct FoldedArrays {
  ModelSpec spec;
  std::vector<FloatArray> conv_weight, conv_bias, dense_weight, dense_bias;
};

/// Folds the batch norms of a DigitNet whose weights are given by the names build_torchscript stores ("conv1_weight",
/// "bn1_running_var", "fc2_bias"...): BN(conv(x)) = s * (w * x + b - mean) + beta with s = gamma / sqrt(var + eps),
/// in double. Throws std::invalid_argument naming the first weight that is missing or has the wrong shape for `spec`.
FoldedArrays fold_batch_norms(const ModelSpec& spec, const std::map<std::string, FloatArray>& weights, double eps);

/// The shape each named weight of a DigitNet with `spec` has, in build_torchscript's order.
std::vector<std::pair<std::string, std::vector<int64_t>>> digitnet_weight_shapes(const ModelSpec& spec);

}  // namespace digitlab
