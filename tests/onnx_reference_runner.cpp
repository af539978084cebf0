#include "onnx_reference_runner.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace digitlab::testing {
namespace {

namespace F = torch::nn::functional;

torch::ScalarType scalar_type(int32_t onnx_type) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT:
      return torch::kFloat;
    case onnx::TensorProto::INT8:
      return torch::kChar;
    case onnx::TensorProto::UINT8:
      return torch::kByte;
    case onnx::TensorProto::INT32:
      return torch::kInt;
    default:
      throw std::runtime_error("unsupported initializer type " + std::to_string(onnx_type));
  }
}

const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, int64_t fallback) {
  const auto* a = attribute(node, name);
  return a != nullptr ? a->i() : fallback;
}

float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  const auto* a = attribute(node, name);
  return a != nullptr ? a->f() : fallback;
}

std::vector<int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name) {
  const auto* a = attribute(node, name);
  if (a == nullptr) throw std::runtime_error(node.name() + ": no attribute " + name);
  return {a->ints().begin(), a->ints().end()};
}

/// Shape that broadcasts a per-channel vector along `axis` of a tensor of rank `rank`; a scalar stays one.
torch::Tensor along_axis(const torch::Tensor& v, int64_t axis, int64_t rank) {
  if (v.dim() == 0) return v;
  std::vector<int64_t> shape(static_cast<size_t>(rank), 1);
  shape[static_cast<size_t>(axis)] = -1;
  return v.view(shape);
}

/// QuantizeLinear: saturate(round_half_to_even(x / scale) + zero_point) in the zero point's type.
torch::Tensor quantize(const onnx::NodeProto& node, const std::vector<torch::Tensor>& in) {
  const int64_t axis = int_attribute(node, "axis", 1);
  const auto zp = in[2];
  const double lo = zp.scalar_type() == torch::kByte ? 0 : -128;
  const double hi = zp.scalar_type() == torch::kByte ? 255 : 127;
  const auto q = (in[0] / along_axis(in[1], axis, in[0].dim())).round() + along_axis(zp, axis, in[0].dim());
  return q.clamp(lo, hi).to(zp.scalar_type());
}

/// DequantizeLinear: (x - zero_point) * scale; int32 (biases) subtracts in double, where it is exact.
torch::Tensor dequantize(const onnx::NodeProto& node, const std::vector<torch::Tensor>& in) {
  const int64_t axis = int_attribute(node, "axis", 1);
  const auto wide = in[0].scalar_type() == torch::kInt ? torch::kDouble : torch::kFloat;
  const auto x = in[0].to(wide) - along_axis(in[2], axis, in[0].dim()).to(wide);
  return x.to(torch::kFloat) * along_axis(in[1], axis, in[0].dim());
}

torch::Tensor conv(const onnx::NodeProto& node, const std::vector<torch::Tensor>& in) {
  const auto pads = ints_attribute(node, "pads");
  if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3]) throw std::runtime_error("asymmetric pads");
  auto options = F::Conv2dFuncOptions().padding({pads[0], pads[1]}).stride(ints_attribute(node, "strides"));
  if (in.size() > 2) options.bias(in[2]);
  return F::conv2d(in[0], in[1], options);
}

/// BatchNormalization in inference: inputs x, scale, bias, mean, var.
torch::Tensor batch_norm(const onnx::NodeProto& node, const std::vector<torch::Tensor>& in) {
  const auto options = F::BatchNormFuncOptions().weight(in[1]).bias(in[2]).eps(float_attribute(node, "epsilon", 1e-5f));
  return F::batch_norm(in[0], in[3], in[4], options);
}

torch::Tensor gemm(const onnx::NodeProto& node, const std::vector<torch::Tensor>& in) {
  const auto b = int_attribute(node, "transB", 0) != 0 ? in[1].t() : in[1];
  return torch::addmm(in[2], in[0], b);
}

}  // namespace

torch::Tensor tensor_from_proto(const onnx::TensorProto& t) {
  const auto type = scalar_type(t.data_type());
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  const auto& raw = t.raw_data();
  auto flat = torch::empty({static_cast<int64_t>(raw.size()) / static_cast<int64_t>(c10::elementSize(type))}, type);
  std::memcpy(flat.data_ptr(), raw.data(), raw.size());
  return flat.reshape(dims);
}

OnnxReferenceRunner::OnnxReferenceRunner(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!model_.ParseFromIstream(&in)) throw std::runtime_error(path.string() + ": not an ONNX model");
  for (const auto& init : model_.graph().initializer()) initializers_[init.name()] = tensor_from_proto(init);
}

torch::Tensor OnnxReferenceRunner::evaluate(const onnx::NodeProto& node,
                                            std::map<std::string, torch::Tensor>& values) const {
  std::vector<torch::Tensor> in;
  for (const auto& name : node.input()) in.push_back(values.at(name));
  const std::string& op = node.op_type();
  if (op == "Sub") return in[0] - in[1];
  if (op == "Div") return in[0] / in[1];
  if (op == "QuantizeLinear") return quantize(node, in);
  if (op == "DequantizeLinear") return dequantize(node, in);
  if (op == "Conv") return conv(node, in);
  if (op == "BatchNormalization") return batch_norm(node, in);
  if (op == "Relu") return torch::relu(in[0]);
  if (op == "MaxPool") {
    auto options = F::MaxPool2dFuncOptions(ints_attribute(node, "kernel_shape"));
    return F::max_pool2d(in[0], options.stride(ints_attribute(node, "strides")));
  }
  if (op == "Flatten") return in[0].flatten(int_attribute(node, "axis", 1));
  if (op == "Gemm") return gemm(node, in);
  if (op == "Softmax") return torch::softmax(in[0], int_attribute(node, "axis", -1));
  throw std::runtime_error("the reference runner does not know the operator " + op);
}

torch::Tensor OnnxReferenceRunner::run(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> values = initializers_;
  values[model_.graph().input(0).name()] = x;
  for (const auto& node : model_.graph().node()) values[node.output(0)] = evaluate(node, values);
  return values.at(model_.graph().output(0).name());
}

}  // namespace digitlab::testing
