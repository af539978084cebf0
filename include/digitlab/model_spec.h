#pragma once
// What the network is, said once. The LibTorch module (DigitNet), the TorchScript writer, the ONNX writer and
// the Predictor's fast path all build the network by looping over a ModelSpec, so changing the architecture is
// one edit here (ModelSpec::digits()). Torch-free, so any client may include it.
//
// The network a spec describes, for an input of input_side x input_side raw pixels in [0,1]:
//   x = (x - mean) / std
//   for each block: convs_per_block x [conv 3x3 (padding 1) -> batch norm -> ReLU], max pool 2, dropout
//   flatten, for each hidden width: dense -> ReLU -> dropout, then dense to num_classes, softmax.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace digitlab {

/// Side of every model input, in pixels: preprocessing renders digits at this size and models take it.
constexpr int kInputSide = 28;
/// Pixels in one model input.
constexpr size_t kInputPixels = static_cast<size_t>(kInputSide) * kInputSide;

/// The architecture of a DigitLab CNN.
struct ModelSpec {
  int64_t input_side = kInputSide;  ///< Side of the square one-channel input, in pixels.
  double mean = 0.1307;             ///< Input normalization, applied inside the model.
  double std = 0.3081;
  std::vector<int64_t> block_channels{32, 64, 128};  ///< Filters of each conv block.
  int convs_per_block = 2;                           ///< 3x3 convolutions per block (each with batch norm, ReLU).
  double conv_dropout = 0.25;                        ///< Dropout after each block's max pool.
  std::vector<int64_t> hidden{256};                  ///< Widths of the hidden dense layers.
  double dense_dropout = 0.5;                        ///< Dropout after each hidden dense layer.
  double dense_l2 = 1e-4;                            ///< Keras-style L2 penalty on the first dense layer's weights.
  int64_t num_classes = 10;                          ///< Outputs of the last dense layer.
  /// What each output means ("0".."9", "A", "α", "+", "T-shirt/top"): num_classes names, or empty for the
  /// class indices as names (the digits when there are ten).
  std::vector<std::string> class_names;

  /// DigitLab's digit network: 3 blocks of 32/64/128 filters, dense 256, 10 classes (the shipped model).
  static ModelSpec digits();

  /// Number of convolutions.
  int conv_count() const { return static_cast<int>(block_channels.size()) * convs_per_block; }
  /// Input and output channels of convolution i (0-based).
  int64_t conv_in_channels(int i) const;
  int64_t conv_out_channels(int i) const;
  /// True when convolution i is the last of its block (max pool and dropout follow it).
  bool ends_block(int i) const { return (i + 1) % convs_per_block == 0; }
  /// Side of the feature maps after every block's pooling (each pool floors: 28 -> 14 -> 7 -> 3).
  int64_t final_side() const;
  /// Features entering the first dense layer: last block's channels x final_side()^2.
  int64_t flat_features() const;
  /// Number of dense layers: the hidden ones and the output layer.
  int dense_count() const { return static_cast<int>(hidden.size()) + 1; }
  /// Input and output features of dense layer i (0-based; the last is the output layer).
  int64_t dense_in_features(int i) const;
  int64_t dense_out_features(int i) const;

  /// The name of class i: class_names[i], or i as text when the spec has no names.
  std::string class_name(int64_t i) const;
  /// All num_classes names, as class_name() gives them.
  std::vector<std::string> names() const;

  /// Throws std::invalid_argument naming the first field out of range (no blocks, a side that pools to 0...).
  void validate() const;

  /// The spec as a JSON object (stored in model cards as "architecture").
  std::string to_json() const;
  /// Parses to_json()'s form; fields it lacks keep digits()' values. Throws std::invalid_argument for
  /// malformed JSON or a spec that fails validate().
  static ModelSpec from_json(const std::string& text);

  bool operator==(const ModelSpec& other) const;
  bool operator!=(const ModelSpec& other) const { return !(*this == other); }
};

}  // namespace digitlab
