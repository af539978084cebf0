#include <digitlab/onnx_export.h>

#include <digitlab/runtime.h>
#include "util/atomic_write.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace digitlab {
namespace {

constexpr int64_t kOpset = 13;
constexpr int64_t kIrVersion = 7;

/// Builds the graph node by node; names are unique because every layer has its own prefix.
class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  /// Adds a float initializer holding a copy of t.
  std::string initializer(const std::string& name, const torch::Tensor& t) {
    const auto values = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    auto* init = graph_->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    for (const auto d : values.sizes()) init->add_dims(d);
    init->set_raw_data(std::string(reinterpret_cast<const char*>(values.data_ptr<float>()),
                                   static_cast<size_t>(values.numel()) * sizeof(float)));
    return name;
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(output);
    for (const auto& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  }

  static void ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const auto v : values) a->add_ints(v);
  }
  static void integer(onnx::NodeProto* n, const std::string& name, int64_t value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  static void real(onnx::NodeProto* n, const std::string& name, float value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }

  /// Declares a float graph input or output of shape [N, dims...] with a symbolic batch size.
  static void value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
    v->set_name(name);
    auto* tensor = v->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tensor->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (const auto d : dims) shape->add_dim()->set_dim_value(d);
  }

 private:
  onnx::GraphProto* graph_;
};

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* prop = model.add_metadata_props();
  prop->set_key(key);
  prop->set_value(value);
}

/// Adds convolution i with its batch norm and ReLU (and the block's max pool after its last convolution)
/// reading tensor `x`; returns the name of the layer's output.
std::string add_conv_block_layer(GraphBuilder& g, const DigitNet& net, int i, const std::string& x) {
  const std::string p = "conv" + std::to_string(i + 1);
  const auto& conv = net->conv(i);
  auto* c = g.node("Conv", {x, g.initializer(p + ".weight", conv->weight), g.initializer(p + ".bias", conv->bias)}, p);
  GraphBuilder::ints(c, "kernel_shape", {3, 3});
  GraphBuilder::ints(c, "pads", {1, 1, 1, 1});
  GraphBuilder::ints(c, "strides", {1, 1});

  const std::string b = "bn" + std::to_string(i + 1);
  const auto& bn = net->bn(i);
  auto* n =
      g.node("BatchNormalization",
             {p, g.initializer(b + ".weight", bn->weight), g.initializer(b + ".bias", bn->bias),
              g.initializer(b + ".running_mean", bn->running_mean), g.initializer(b + ".running_var", bn->running_var)},
             b);
  GraphBuilder::real(n, "epsilon", static_cast<float>(bn->options.eps()));
  const std::string relu = g.node("Relu", {b}, "relu" + std::to_string(i + 1))->output(0);
  if (!net->spec().ends_block(i)) return relu;
  auto* pool = g.node("MaxPool", {relu}, "pool" + std::to_string(i / net->spec().convs_per_block + 1));
  GraphBuilder::ints(pool, "kernel_shape", {2, 2});
  GraphBuilder::ints(pool, "strides", {2, 2});
  return pool->output(0);
}

onnx::ModelProto build_model(const DigitNet& net, std::optional<double> test_accuracy) {
  const ModelSpec& spec = net->spec();
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("DigitLab");
  model.set_producer_version(digitlab_version());
  model.set_model_version(1);
  model.set_doc_string("DigitNet handwritten digit classifier");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  add_metadata(model, "model_name", "DigitNet");
  add_metadata(model, "test_accuracy", test_accuracy ? std::to_string(*test_accuracy) : "unknown");
  add_metadata(model, "digitlab_version", digitlab_version());
  add_metadata(model, "input_contract", "image: float N x 1 x 28 x 28, white digit on black, [0,1]");
  add_metadata(model, "output", "probabilities: float N x " + std::to_string(spec.num_classes) + " (softmax)");
  add_metadata(model, "architecture", spec.to_json());

  auto* graph = model.mutable_graph();
  graph->set_name("DigitNet");
  GraphBuilder g(graph);
  GraphBuilder::value_info(graph->add_input(), "image", {1, spec.input_side, spec.input_side});
  GraphBuilder::value_info(graph->add_output(), "probabilities", {spec.num_classes});

  // Normalization inside the model, as in TorchScript: (image - mean) / std.
  const auto scalar = [](double v) { return torch::full({1}, v, torch::kFloat); };
  g.node("Sub", {"image", g.initializer("mnist_mean", scalar(spec.mean))}, "centered");
  std::string x = g.node("Div", {"centered", g.initializer("mnist_std", scalar(spec.std))}, "normalized")->output(0);

  torch::NoGradGuard no_grad;
  for (int i = 0; i < spec.conv_count(); ++i) x = add_conv_block_layer(g, net, i, x);
  GraphBuilder::integer(g.node("Flatten", {x}, "flatten"), "axis", 1);
  x = "flatten";
  for (int i = 0; i < spec.dense_count(); ++i) {
    const std::string f = "fc" + std::to_string(i + 1);
    const bool hidden = i + 1 < spec.dense_count();
    const auto& dense = net->dense(i);
    auto* gemm =
        g.node("Gemm", {x, g.initializer(f + ".weight", dense->weight), g.initializer(f + ".bias", dense->bias)},
               hidden ? f : "logits");
    GraphBuilder::integer(gemm, "transB", 1);
    x = hidden ? g.node("Relu", {f}, f + "_relu")->output(0) : gemm->output(0);
  }
  GraphBuilder::integer(g.node("Softmax", {x}, "probabilities"), "axis", 1);
  return model;
}

}  // namespace

bool onnx_export_available() { return true; }

void export_onnx(const DigitNet& net, const std::filesystem::path& path, std::optional<double> test_accuracy) {
  onnx::ModelProto model = build_model(net, test_accuracy);
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
