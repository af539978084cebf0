#include <digitlab/onnx_export.h>

#include "model/onnx_graph_builder.h"

namespace digitlab {
namespace {

/// Adds convolution i with its batch norm and ReLU (and the block's max pool after its last convolution)
/// reading tensor `x`; returns the name of the layer's output.
std::string add_conv_block_layer(OnnxGraphBuilder& g, const DigitNet& net, int i, const std::string& x) {
  const std::string p = "conv" + std::to_string(i + 1);
  const auto& conv = net->conv(i);
  auto* c = g.node("Conv", {x, g.initializer(p + ".weight", conv->weight), g.initializer(p + ".bias", conv->bias)}, p);
  OnnxGraphBuilder::ints(c, "kernel_shape", {3, 3});
  OnnxGraphBuilder::ints(c, "pads", {1, 1, 1, 1});
  OnnxGraphBuilder::ints(c, "strides", {1, 1});

  const std::string b = "bn" + std::to_string(i + 1);
  const auto& bn = net->bn(i);
  auto* n =
      g.node("BatchNormalization",
             {p, g.initializer(b + ".weight", bn->weight), g.initializer(b + ".bias", bn->bias),
              g.initializer(b + ".running_mean", bn->running_mean), g.initializer(b + ".running_var", bn->running_var)},
             b);
  OnnxGraphBuilder::real(n, "epsilon", static_cast<float>(bn->options.eps()));
  const std::string relu = g.node("Relu", {b}, "relu" + std::to_string(i + 1))->output(0);
  if (!net->spec().ends_block(i)) return relu;
  auto* pool = g.node("MaxPool", {relu}, "pool" + std::to_string(i / net->spec().convs_per_block + 1));
  OnnxGraphBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxGraphBuilder::ints(pool, "strides", {2, 2});
  return pool->output(0);
}

onnx::ModelProto build_model(const DigitNet& net, std::optional<double> test_accuracy) {
  const ModelSpec& spec = net->spec();
  onnx::ModelProto model = new_onnx_model(spec, test_accuracy);
  OnnxGraphBuilder g(model.mutable_graph());
  std::string x = add_normalization(g, spec);

  torch::NoGradGuard no_grad;
  for (int i = 0; i < spec.conv_count(); ++i) x = add_conv_block_layer(g, net, i, x);
  OnnxGraphBuilder::integer(g.node("Flatten", {x}, "flatten"), "axis", 1);
  x = "flatten";
  for (int i = 0; i < spec.dense_count(); ++i) {
    const std::string f = "fc" + std::to_string(i + 1);
    const bool hidden = i + 1 < spec.dense_count();
    const auto& dense = net->dense(i);
    auto* gemm =
        g.node("Gemm", {x, g.initializer(f + ".weight", dense->weight), g.initializer(f + ".bias", dense->bias)},
               hidden ? f : "logits");
    OnnxGraphBuilder::integer(gemm, "transB", 1);
    x = hidden ? g.node("Relu", {f}, f + "_relu")->output(0) : gemm->output(0);
  }
  OnnxGraphBuilder::integer(g.node("Softmax", {x}, "probabilities"), "axis", 1);
  return model;
}

}  // namespace

bool onnx_export_available() { return true; }

void export_onnx(const DigitNet& net, const std::filesystem::path& path, std::optional<double> test_accuracy) {
  onnx::ModelProto model = build_model(net, test_accuracy);
  write_checked_onnx(model, path);
}

}  // namespace digitlab
