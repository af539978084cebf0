#pragma once
// DigitNet's weights with each batch norm folded into the convolution before it: what an inference-only
// graph (the int8 ONNX writer, its calibration) computes with.

#include "native/folded_arrays.h"

#include <digitlab/digit_net.h>

#include <torch/torch.h>

#include <vector>

namespace digitlab {

/// The weights of an inference-only DigitNet: conv i computes relu(conv_weight[i] * x + conv_bias[i]), which
/// is relu(bn(conv(x))) of the trained network; dense layers are unchanged. Float, on the CPU, contiguous.
struct FoldedWeights {
  ModelSpec spec;
  std::vector<torch::Tensor> conv_weight;   ///< out x in x 3 x 3, per conv.
  std::vector<torch::Tensor> conv_bias;     ///< out, per conv.
  std::vector<torch::Tensor> dense_weight;  ///< out x in, per dense layer.
  std::vector<torch::Tensor> dense_bias;    ///< out, per dense layer.
};

/// Folds every batch norm of net (its running statistics, as in evaluation) into its convolution, as
/// native/folded_arrays.h's fold_batch_norms does (in double), as plain arrays.
FoldedArrays fold_batch_norm_arrays(const DigitNet& net);

/// The same as tensors.
FoldedWeights fold_batch_norms(const DigitNet& net);

}  // namespace digitlab
