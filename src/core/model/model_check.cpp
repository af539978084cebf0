#include "model/model_check.h"

#include <digitlab/model_safety.h>

#include "util/zip_directory.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <iterator>
#include <map>
#include <set>
#include <unordered_set>

namespace digitlab {
namespace {

/// Operations that only compute on tensors, numbers, strings and lists: what ordinary layers (as TorchScript
/// scripts or traces them), their argument checks and DigitLab's own models use.
// clang-format off
const char* const kAllowedOperations[] = {
    // Values, lists, tuples, control flow (loops are judged separately), errors.
    "prim::Constant", "prim::GetAttr", "prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct",
    "prim::TupleUnpack", "prim::TupleIndex", "prim::DictConstruct", "prim::If", "prim::Loop", "prim::RaiseException",
    "prim::unchecked_cast", "prim::NumToTensor", "prim::Uninitialized", "prim::device", "prim::dtype", "prim::min",
    "prim::max", "prim::isinstance", "prim::is_cuda", "prim::layout", "aten::__getitem__", "aten::__is__",
    "aten::__isnot__", "aten::__not__", "aten::__and__", "aten::__or__", "aten::__contains__", "aten::__range_length",
    "aten::__derive_index", "aten::len", "aten::append", "aten::list", "aten::format", "aten::str", "aten::Int",
    "aten::Float", "aten::Bool", "aten::ScalarImplicit", "aten::item", "aten::dim", "aten::size", "aten::numel",
    "aten::warn",
    // Arithmetic and comparisons, on numbers or tensors.
    "aten::add", "aten::add_", "aten::sub", "aten::sub_", "aten::mul", "aten::mul_", "aten::div", "aten::div_",
    "aten::floordiv", "aten::remainder", "aten::neg", "aten::pow", "aten::sqrt", "aten::rsqrt", "aten::exp",
    "aten::log", "aten::abs", "aten::clamp", "aten::clamp_min", "aten::clamp_max", "aten::floor", "aten::ceil",
    "aten::round", "aten::reciprocal", "aten::eq", "aten::ne", "aten::lt", "aten::le", "aten::gt", "aten::ge",
    "aten::where", "aten::isfinite", "aten::isnan", "aten::any", "aten::all",
    // Layers and activations.
    "aten::conv1d", "aten::conv2d", "aten::conv3d", "aten::_convolution", "aten::conv_transpose2d", "aten::linear",
    "aten::matmul", "aten::mm", "aten::bmm", "aten::addmm", "aten::t", "aten::batch_norm", "aten::instance_norm",
    "aten::layer_norm", "aten::group_norm", "aten::dropout", "aten::dropout_", "aten::feature_dropout",
    "aten::alpha_dropout", "aten::max_pool1d", "aten::max_pool2d", "aten::max_pool3d", "aten::avg_pool1d",
    "aten::avg_pool2d", "aten::avg_pool3d", "aten::adaptive_avg_pool1d", "aten::adaptive_avg_pool2d",
    "aten::adaptive_max_pool2d", "aten::relu", "aten::relu_", "aten::relu6", "aten::leaky_relu", "aten::leaky_relu_",
    "aten::elu", "aten::selu", "aten::celu", "aten::gelu", "aten::silu", "aten::mish", "aten::sigmoid", "aten::tanh",
    "aten::hardtanh", "aten::hardtanh_", "aten::hardswish", "aten::hardsigmoid", "aten::softplus", "aten::softsign",
    "aten::prelu", "aten::threshold", "aten::softmax", "aten::log_softmax", "aten::constant_pad_nd", "aten::pad",
    // Shapes, reductions and new tensors of a given shape.
    "aten::flatten", "aten::reshape", "aten::view", "aten::squeeze", "aten::unsqueeze", "aten::permute",
    "aten::transpose", "aten::contiguous", "aten::expand", "aten::expand_as", "aten::repeat", "aten::cat",
    "aten::stack", "aten::split", "aten::chunk", "aten::slice", "aten::select", "aten::narrow", "aten::index_select",
    "aten::to", "aten::type_as", "aten::detach", "aten::clone", "aten::sum", "aten::mean", "aten::max", "aten::min",
    "aten::amax", "aten::amin", "aten::argmax", "aten::argmin", "aten::prod", "aten::std", "aten::var", "aten::norm",
    "aten::ones", "aten::zeros", "aten::ones_like", "aten::zeros_like", "aten::full", "aten::full_like",
    "aten::fill_", "aten::zero_", "aten::masked_fill",
};
// clang-format on

const std::unordered_set<std::string>& allowed_operations() {
  static const std::unordered_set<std::string> allowed(std::begin(kAllowedOperations), std::end(kAllowedOperations));
  return allowed;
}

/// Why an operation that is not allowed is dangerous, where DigitLab knows.
std::string danger_of(const std::string& kind) {
  static const std::map<std::string, std::string> known = {
      {"aten::save", "which writes files"},
      {"aten::from_file", "which reads or maps files"},
      {"prim::Print", "which prints"},
      {"prim::fork", "which starts threads"},
      {"aten::wait", "which waits on threads"},
      {"prim::SetAttr", "which changes the model's own state between calls"},
      {"prim::CallMethod", "which calls code that cannot be inspected"},
      {"prim::CallFunction", "which calls code that cannot be inspected"},
      {"prim::PythonOp", "which calls Python"},
  };
  const auto it = known.find(kind);
  return it != known.end() ? it->second : "which is not a pure tensor operation DigitLab allows";
}

/// Loops may run at most this many times when their count is a constant.
constexpr int64_t kMaxConstantTrips = 1'000'000;

/// True when `value` is bounded by the shape of a tensor or list (len, dim, size) or is a small constant, or is
/// computed from such values by arithmetic: how `for i in range(len(size) - 2)` counts. A `while` loop's count is
/// the largest int64, and a count read from tensor data is unbounded.
bool bounded(const torch::jit::Value* value, int depth = 0) {
  if (depth > 16) return false;
  const torch::jit::Node* node = value->node();
  const std::string kind = node->kind().toQualString();
  if (kind == "prim::Constant") {
    const auto constant = torch::jit::toIValue(value);
    return constant && constant->isInt() && constant->toInt() >= 0 && constant->toInt() <= kMaxConstantTrips;
  }
  if (kind == "aten::len" || kind == "aten::dim" || kind == "aten::size") return true;
  static const std::set<std::string> arithmetic = {
      "aten::add", "aten::sub", "aten::mul", "aten::floordiv", "aten::__range_length", "prim::min", "prim::max"};
  if (arithmetic.count(kind) == 0) return false;
  for (const torch::jit::Value* input : node->inputs()) {
    if (!bounded(input, depth + 1)) return false;
  }
  return true;
}

/// The first unsafe node in `block` and its sub-blocks, as a reason; empty when all are safe.
std::string first_unsafe(const torch::jit::Block* block) {
  for (const torch::jit::Node* node : block->nodes()) {
    const std::string kind = node->kind().toQualString();
    if (allowed_operations().count(kind) == 0) return "calls " + kind + ", " + danger_of(kind);
    if (kind == "prim::Loop" && !bounded(node->input(0))) {
      return "has a loop with no fixed bound (a while loop could run forever)";
    }
    for (const torch::jit::Block* inner : node->blocks()) {
      std::string reason = first_unsafe(inner);
      if (!reason.empty()) return reason;
    }
  }
  return {};
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void check_model_archive(const std::filesystem::path& path, bool trusted) {
  const ZipDirectory zip = ZipDirectory::read(path);
  const auto megabytes = [](uint64_t bytes) { return std::to_string(bytes >> 20) + " MB"; };
  if (zip.total_size() > kMaxModelBytes) {
    throw UnsafeModelError(path.string(), "it would unpack to " + megabytes(zip.total_size()) + ", more than " +
                                              megabytes(kMaxModelBytes));
  }
  for (const auto& entry : zip.entries()) {
    if (entry.name.find("/extra/") != std::string::npos && entry.size > kMaxModelCardBytes) {
      throw UnsafeModelError(path.string(), "its extra file " + entry.name + " would unpack to " +
                                                megabytes(entry.size) + ", more than a model card needs");
    }
  }
  if (trusted) return;
  // LibTorch runs a class's __setstate__ while it loads the file, before anything can be inspected: refuse them.
  caffe2::serialize::PyTorchStreamReader reader(path.string());
  for (const auto& name : reader.getAllRecords()) {
    if (name.rfind("code/", 0) != 0 || !ends_with(name, ".py")) continue;
    const auto [data, size] = reader.getRecord(name);
    const std::string code(static_cast<const char*>(data.get()), size);
    if (code.find("__setstate__") != std::string::npos) {
      throw UnsafeModelError(path.string(), "its code (" + name +
                                                ") defines __setstate__, which would run while "
                                                "the file is opened");
    }
  }
}

std::string unsafe_operation(const torch::jit::Module& module) {
  if (!module.find_method("forward")) return "has no forward method";
  const auto graph = module.get_method("forward").graph()->copy();
  torch::jit::Inline(*graph);
  return first_unsafe(graph->block());
}

}  // namespace digitlab
