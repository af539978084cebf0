#pragma once

#include <digitlab/digit_net.h>

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

}  // namespace digitlab
