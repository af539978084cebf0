#pragma once
// What the float and the int8 ONNX writers share: the graph builder, the model's header (opset, metadata, the
// input and output contract) and the checked, atomic write. Compiled only with libonnx.

#include <digitlab/model_spec.h>

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// Opset and IR version of every ONNX file DigitLab writes.
constexpr int64_t kOnnxOpset = 13;
constexpr int64_t kOnnxIrVersion = 7;

/// Builds a graph node by node; each node is named after its single output, so names stay unique as long as
/// every layer gives its tensors its own prefix.
class OnnxGraphBuilder {
 public:
  explicit OnnxGraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  /// Adds an initializer holding a copy of t (float, int8, uint8 or int32, any shape, a 0-d tensor for a
  /// scalar) and returns its name. Throws std::invalid_argument for another element type.
  std::string initializer(const std::string& name, const torch::Tensor& t);
  /// Adds a node `op` reading `inputs` and writing the tensor `output`.
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output);

  /// Attributes of a node.
  static void ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values);
  static void integer(onnx::NodeProto* n, const std::string& name, int64_t value);
  static void real(onnx::NodeProto* n, const std::string& name, float value);

 private:
  onnx::GraphProto* graph_;
};

/// A model with DigitLab's header: IR version, opset, producer, metadata (name, test accuracy, version,
/// contract, architecture, plus `extra` key/value pairs) and the contract's input "image" [N,1,side,side] and
/// output "probabilities" [N,classes], both float; the graph's nodes are left to the caller.
onnx::ModelProto new_onnx_model(const ModelSpec& spec, std::optional<double> test_accuracy,
                                const std::vector<std::pair<std::string, std::string>>& extra = {});

/// Adds (image - mean) / std, the normalization inside every DigitLab model; returns the output's name.
std::string add_normalization(OnnxGraphBuilder& g, const ModelSpec& spec);

/// Runs onnx::checker and shape inference on model, then writes it to path (temporary name, then rename).
/// Throws std::runtime_error naming path when the check, the serialization or the write fails.
void write_checked_onnx(onnx::ModelProto& model, const std::filesystem::path& path);

}  // namespace digitlab
