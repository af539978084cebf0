#include "model/onnx_graph_builder.h"

#include <nlohmann/json.hpp>

#include <digitlab/runtime.h>
#include "util/atomic_write.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <stdexcept>

namespace digitlab {
namespace {

/// The ONNX element type of a tensor DigitLab writes.
int32_t onnx_type(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat:
      return onnx::TensorProto::FLOAT;
    case torch::kChar:
      return onnx::TensorProto::INT8;
    case torch::kByte:
      return onnx::TensorProto::UINT8;
    case torch::kInt:
      return onnx::TensorProto::INT32;
    default:
      throw std::invalid_argument(std::string("no ONNX initializer for tensors of type ") +
                                  c10::toString(t.scalar_type()));
  }
}

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* prop = model.add_metadata_props();
  prop->set_key(key);
  prop->set_value(value);
}

/// Declares a float graph input or output of shape [N, dims...] with a symbolic batch size.
void value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tensor = v->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tensor->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (const auto d : dims) shape->add_dim()->set_dim_value(d);
}

}  // namespace

std::string OnnxGraphBuilder::initializer(const std::string& name, const torch::Tensor& t) {
  const auto values = t.detach().to(torch::kCPU).contiguous();
  auto* init = graph_->add_initializer();
  init->set_name(name);
  init->set_data_type(onnx_type(values));
  for (const auto d : values.sizes()) init->add_dims(d);
  init->set_raw_data(std::string(static_cast<const char*>(values.data_ptr()), values.nbytes()));
  return name;
}

onnx::NodeProto* OnnxGraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                        const std::string& output) {
  auto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(output);
  for (const auto& in : inputs) n->add_input(in);
  n->add_output(output);
  return n;
}

void OnnxGraphBuilder::ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (const auto v : values) a->add_ints(v);
}

void OnnxGraphBuilder::integer(onnx::NodeProto* n, const std::string& name, int64_t value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void OnnxGraphBuilder::real(onnx::NodeProto* n, const std::string& name, float value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

onnx::ModelProto new_onnx_model(const ModelSpec& spec, std::optional<double> test_accuracy,
                                const std::vector<std::pair<std::string, std::string>>& extra) {
  onnx::ModelProto model;
  model.set_ir_version(kOnnxIrVersion);
  model.set_producer_name("DigitLab");
  model.set_producer_version(digitlab_version());
  model.set_model_version(1);
  model.set_doc_string("DigitNet handwritten digit classifier");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  add_metadata(model, "model_name", "DigitNet");
  add_metadata(model, "test_accuracy", test_accuracy ? std::to_string(*test_accuracy) : "unknown");
  add_metadata(model, "digitlab_version", digitlab_version());
  add_metadata(model, "input_contract", "image: float N x 1 x 28 x 28, white digit on black, [0,1]");
  add_metadata(model, "output", "probabilities: float N x " + std::to_string(spec.num_classes) + " (softmax)");
  add_metadata(model, "architecture", spec.to_json());
  add_metadata(model, "class_names", nlohmann::json(spec.names()).dump());
  for (const auto& [key, value] : extra) add_metadata(model, key, value);

  auto* graph = model.mutable_graph();
  graph->set_name("DigitNet");
  value_info(graph->add_input(), "image", {1, spec.input_side, spec.input_side});
  value_info(graph->add_output(), "probabilities", {spec.num_classes});
  return model;
}

std::string add_normalization(OnnxGraphBuilder& g, const ModelSpec& spec) {
  const auto scalar = [](double v) { return torch::full({1}, v, torch::kFloat); };
  g.node("Sub", {"image", g.initializer("mnist_mean", scalar(spec.mean))}, "centered");
  return g.node("Div", {"centered", g.initializer("mnist_std", scalar(spec.std))}, "normalized")->output(0);
}

void write_checked_onnx(onnx::ModelProto& model, const std::filesystem::path& path) {
  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot write " + path.string() + ": the ONNX model fails its check: " + e.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    throw std::runtime_error("cannot write " + path.string() + ": ONNX serialization failed");
  }
  write_text_atomically(path, bytes);
}

}  // namespace digitlab
