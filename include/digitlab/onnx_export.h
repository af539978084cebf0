#pragma once

#include <digitlab/digit_net.h>
#include <digitlab/model_files.h>

#include <filesystem>
#include <optional>

namespace digitlab {

/// True when this build can write ONNX (it was configured with Debian's libonnx-dev).
bool onnx_export_available();

/// Writes DigitNet as an ONNX model (opset 13, IR version 7): input "image" float [N,1,28,28] in
/// [0,1], white digit on black, normalization inside; output "probabilities" float [N,C] (C classes, 10 for digits).
/// Conv, BatchNormalization, Relu, MaxPool, Flatten, Gemm and Softmax nodes carry the trained
/// weights as initializers; metadata names the model, its test accuracy, the DigitLab version
/// and the input contract. The model passes onnx::checker and shape inference before it is
/// written (temporary name, then rename). Throws std::runtime_error naming path on failure, or
/// when the build has no ONNX support.
void export_onnx(const DigitNet& net, const std::filesystem::path& path, std::optional<double> test_accuracy);

/// Writes DigitNet as an int8-quantized ONNX model in QDQ form, for phones and small boards: same contract,
/// opset and checks as export_onnx(), about a quarter of its size. Batch norms are folded into the
/// convolutions; each Conv and Gemm reads int8 weights (symmetric, one scale per output channel) and int32
/// biases through DequantizeLinear, and uint8 activations through QuantizeLinear/DequantizeLinear pairs whose
/// ranges are the largest values the float network reaches on calibration_images (N x 1 x 28 x 28 in [0,1]:
/// training images, never test images). Metadata records the quantization, the calibration image count and
/// float_test_accuracy (the float model's). Throws std::invalid_argument for an empty or wrongly shaped
/// calibration batch, std::runtime_error naming path on failure or when the build has no ONNX support.
void export_onnx_int8(const DigitNet& net, const torch::Tensor& calibration_images, const std::filesystem::path& path,
                      std::optional<double> float_test_accuracy);

}  // namespace digitlab
