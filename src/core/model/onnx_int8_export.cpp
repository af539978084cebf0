// The int8 ONNX writer: DigitNet in QDQ form. Each Conv and Gemm reads int8 weights (symmetric, one scale per
// output channel) and int32 biases through DequantizeLinear, and a uint8 activation through a
// QuantizeLinear/DequantizeLinear pair whose range was calibrated on training images; runtimes that know QDQ
// (onnxruntime) fuse the pairs into integer kernels.
#include <digitlab/onnx_export.h>

#include "model/activation_ranges.h"
#include "model/folded_weights.h"
#include "model/onnx_graph_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace digitlab {
namespace {

/// Largest magnitude of an int8 weight: symmetric, so -128 is never used and zero is exact.
constexpr float kInt8Max = 127.0f;
/// Steps of a uint8 activation.
constexpr float kUint8Steps = 255.0f;

/// A dequantized activation, name of its DequantizeLinear output, with the quantization it went through:
/// real = scale * (q - zero_point), q in uint8.
struct QuantTensor {
  std::string name;
  std::string scale;  ///< Initializer names, shared by every tensor quantized the same way.
  std::string zero_point;
  float scale_value = 0;
};

/// Quantization parameters covering [lo, hi] (which must hold 0, so that zero, ReLU's floor and the
/// convolutions' padding, is exact), as initializers named after `tensor`.
QuantTensor activation_params(OnnxGraphBuilder& g, const std::string& tensor, float lo, float hi) {
  const float scale = std::max(hi - lo, 1e-6f) / kUint8Steps;
  const auto zero_point = static_cast<uint8_t>(std::clamp(std::lround(-lo / scale), 0L, 255L));
  return {tensor, g.initializer(tensor + ".scale", torch::scalar_tensor(scale, torch::kFloat)),
          g.initializer(tensor + ".zero_point", torch::scalar_tensor(zero_point, torch::kByte)), scale};
}

/// Quantizes tensor x with q's parameters and dequantizes it again; returns the dequantized tensor.
QuantTensor add_qdq(OnnxGraphBuilder& g, const std::string& x, QuantTensor q) {
  g.node("QuantizeLinear", {x, q.scale, q.zero_point}, x + "_quantized");
  q.name = g.node("DequantizeLinear", {x + "_quantized", q.scale, q.zero_point}, x + "_dequantized")->output(0);
  return q;
}

/// Adds weight w (out x ...) as int8 behind a DequantizeLinear named `name`; returns the per-channel scales.
torch::Tensor add_int8_weight(OnnxGraphBuilder& g, const std::string& name, const torch::Tensor& w) {
  const auto peak = w.abs().flatten(1).amax(1).clamp_min(1e-12f);
  const auto scale = (peak / kInt8Max).contiguous();
  std::vector<int64_t> per_channel(static_cast<size_t>(w.dim()), 1);
  per_channel[0] = -1;
  const auto q = (w / scale.view(per_channel)).round().clamp(-kInt8Max, kInt8Max).to(torch::kChar);
  auto* dq = g.node("DequantizeLinear",
                    {g.initializer(name + "_quantized", q), g.initializer(name + ".scale", scale),
                     g.initializer(name + ".zero_point", torch::zeros({w.size(0)}, torch::kChar))},
                    name);
  OnnxGraphBuilder::integer(dq, "axis", 0);
  return scale;
}

/// Adds bias b as int32 in steps of input scale x weight scale (what an integer kernel accumulates in)
/// behind a DequantizeLinear named `name`.
void add_int32_bias(OnnxGraphBuilder& g, const std::string& name, const torch::Tensor& b, const torch::Tensor& scale) {
  const double limit = std::numeric_limits<int32_t>::max();
  const auto q = (b / scale).round().clamp(-limit, limit).to(torch::kInt);
  auto* dq = g.node("DequantizeLinear",
                    {g.initializer(name + "_quantized", q), g.initializer(name + ".scale", scale.contiguous()),
                     g.initializer(name + ".zero_point", torch::zeros({b.size(0)}, torch::kInt))},
                    name);
  OnnxGraphBuilder::integer(dq, "axis", 0);
}

/// Adds the int8 weights and int32 bias of a layer named p reading x; returns their tensor names.
std::vector<std::string> add_layer_inputs(OnnxGraphBuilder& g, const std::string& p, const QuantTensor& x,
                                          const torch::Tensor& weight, const torch::Tensor& bias) {
  const auto weight_scale = add_int8_weight(g, p + ".weight", weight);
  add_int32_bias(g, p + ".bias", bias, weight_scale * x.scale_value);
  return {x.name, p + ".weight", p + ".bias"};
}

/// Conv i (batch norm folded in) and its ReLU reading x, quantized with its calibrated range, then the
/// block's max pool after its last conv (same quantization: max pooling keeps the range).
QuantTensor add_int8_conv(OnnxGraphBuilder& g, const FoldedWeights& w, const ActivationRanges& r, int i,
                          const QuantTensor& x) {
  const std::string p = "conv" + std::to_string(i + 1);
  auto* conv = g.node("Conv", add_layer_inputs(g, p, x, w.conv_weight[i], w.conv_bias[i]), p);
  OnnxGraphBuilder::ints(conv, "kernel_shape", {3, 3});
  OnnxGraphBuilder::ints(conv, "pads", {1, 1, 1, 1});
  OnnxGraphBuilder::ints(conv, "strides", {1, 1});
  const std::string relu = g.node("Relu", {p}, "relu" + std::to_string(i + 1))->output(0);
  const QuantTensor out = add_qdq(g, relu, activation_params(g, relu, 0.0f, r.conv[i]));
  if (!w.spec.ends_block(i)) return out;
  auto* pool = g.node("MaxPool", {out.name}, "pool" + std::to_string(i / w.spec.convs_per_block + 1));
  OnnxGraphBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxGraphBuilder::ints(pool, "strides", {2, 2});
  return add_qdq(g, pool->output(0), out);
}

/// Dense layer i reading x: a hidden one returns its quantized ReLU, the last one its float logits.
QuantTensor add_int8_dense(OnnxGraphBuilder& g, const FoldedWeights& w, const ActivationRanges& r, int i,
                           const QuantTensor& x) {
  const std::string f = "fc" + std::to_string(i + 1);
  const bool hidden = i + 1 < w.spec.dense_count();
  auto* gemm = g.node("Gemm", add_layer_inputs(g, f, x, w.dense_weight[i], w.dense_bias[i]), hidden ? f : "logits");
  OnnxGraphBuilder::integer(gemm, "transB", 1);
  if (!hidden) return {gemm->output(0), "", "", 0};
  const std::string relu = g.node("Relu", {f}, f + "_relu")->output(0);
  return add_qdq(g, relu, activation_params(g, relu, 0.0f, r.hidden[i]));
}

onnx::ModelProto build_int8_model(const FoldedWeights& w, const ActivationRanges& r, int64_t calibration_images,
                                  std::optional<double> float_test_accuracy) {
  const ModelSpec& spec = w.spec;
  onnx::ModelProto model = new_onnx_model(
      spec, std::nullopt,
      {{"quantization", "int8 QDQ: int8 weights (symmetric, per output channel), int32 biases, uint8 activations"},
       {"calibration_images", std::to_string(calibration_images) + " training images (min/max)"},
       {"float_model_test_accuracy", float_test_accuracy ? std::to_string(*float_test_accuracy) : "unknown"}});
  OnnxGraphBuilder g(model.mutable_graph());
  const std::string normalized = add_normalization(g, spec);
  // The contract's [0,1] pixels, normalized: the input's range needs no calibration.
  const auto lo = static_cast<float>(-spec.mean / spec.std);
  const auto hi = static_cast<float>((1.0 - spec.mean) / spec.std);
  QuantTensor x = add_qdq(g, normalized, activation_params(g, normalized, lo, hi));

  torch::NoGradGuard no_grad;
  for (int i = 0; i < spec.conv_count(); ++i) x = add_int8_conv(g, w, r, i, x);
  OnnxGraphBuilder::integer(g.node("Flatten", {x.name}, "flatten"), "axis", 1);
  x = add_qdq(g, "flatten", x);
  for (int i = 0; i < spec.dense_count(); ++i) x = add_int8_dense(g, w, r, i, x);
  OnnxGraphBuilder::integer(g.node("Softmax", {x.name}, "probabilities"), "axis", 1);
  return model;
}

}  // namespace

void export_onnx_int8(const DigitNet& net, const torch::Tensor& calibration_images, const std::filesystem::path& path,
                      std::optional<double> float_test_accuracy) {
  const FoldedWeights weights = fold_batch_norms(net);
  const ActivationRanges ranges = calibrate_activations(weights, calibration_images);
  onnx::ModelProto model = build_int8_model(weights, ranges, calibration_images.size(0), float_test_accuracy);
  write_checked_onnx(model, path);
}

}  // namespace digitlab
