#pragma once
// A small ONNX interpreter on LibTorch for the tests: it runs a file DigitLab wrote, node by node, from the
// file alone, so a test can check what the file computes without trusting the code that wrote it. It knows
// the operators DigitLab's float and int8 exports use, and throws for any other.

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

namespace digitlab::testing {

/// Runs an ONNX model with one float input and one output, as the ONNX operator specifications say.
class OnnxReferenceRunner {
 public:
  /// Reads the model at path; throws std::runtime_error when it cannot be parsed.
  explicit OnnxReferenceRunner(const std::filesystem::path& path);

  /// The graph's output for input x; throws std::runtime_error naming an operator it does not know.
  torch::Tensor run(const torch::Tensor& x) const;

  const onnx::ModelProto& model() const { return model_; }

 private:
  torch::Tensor evaluate(const onnx::NodeProto& node, std::map<std::string, torch::Tensor>& values) const;

  onnx::ModelProto model_;
  std::map<std::string, torch::Tensor> initializers_;
};

/// An initializer as a tensor (float, int8, uint8 or int32, from raw_data).
torch::Tensor tensor_from_proto(const onnx::TensorProto& t);

}  // namespace digitlab::testing
