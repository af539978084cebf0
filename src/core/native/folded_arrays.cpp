#include "native/folded_arrays.h"

#include <cmath>
#include <stdexcept>

namespace digitlab {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace

std::vector<std::pair<std::string, std::vector<int64_t>>> digitnet_weight_shapes(const ModelSpec& spec) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  int64_t in = 1;
  for (int i = 0; i < spec.conv_count(); ++i) {
    const int64_t out = spec.block_channels.at(static_cast<size_t>(i / spec.convs_per_block));
    const std::string c = "conv" + std::to_string(i + 1), b = "bn" + std::to_string(i + 1);
    shapes.insert(shapes.end(), {{c + "_weight", {out, in, 3, 3}},
                                 {c + "_bias", {out}},
                                 {b + "_weight", {out}},
                                 {b + "_bias", {out}},
                                 {b + "_running_mean", {out}},
                                 {b + "_running_var", {out}}});
    in = out;
  }
  int64_t features = spec.flat_features();
  for (int i = 0; i < spec.dense_count(); ++i) {
    const int64_t out = i + 1 < spec.dense_count() ? spec.hidden.at(static_cast<size_t>(i)) : spec.num_classes;
    const std::string f = "fc" + std::to_string(i + 1);
    shapes.insert(shapes.end(), {{f + "_weight", {out, features}}, {f + "_bias", {out}}});
    features = out;
  }
  return shapes;
}

FoldedArrays fold_batch_norms(const ModelSpec& spec, const std::map<std::string, FloatArray>& weights, double eps) {
  for (const auto& [name, shape] : digitnet_weight_shapes(spec)) {
    const auto it = weights.find(name);
    if (it == weights.end()) throw std::invalid_argument("weight " + name + " missing");
    int64_t numel = 1;
    for (auto d : shape) numel *= d;
    if (it->second.shape != shape || static_cast<int64_t>(it->second.values.size()) != numel) {
      throw std::invalid_argument("weight " + name + " has shape " + shape_text(it->second.shape) + ", expected " +
                                  shape_text(shape));
    }
  }
  const auto get = [&](const std::string& name) -> const std::vector<float>& { return weights.at(name).values; };
  FoldedArrays folded;
  folded.spec = spec;
  for (int i = 0; i < spec.conv_count(); ++i) {
    const std::string c = "conv" + std::to_string(i + 1), b = "bn" + std::to_string(i + 1);
    const FloatArray& w = weights.at(c + "_weight");
    const auto& bias = get(c + "_bias");
    const auto &gamma = get(b + "_weight"), &beta = get(b + "_bias");
    const auto &mean = get(b + "_running_mean"), &var = get(b + "_running_var");
    const size_t out = bias.size(), per_filter = w.values.size() / out;
    FloatArray fw{w.shape, std::vector<float>(w.values.size())}, fb{{static_cast<int64_t>(out)}, std::vector<float>(out)};
    for (size_t o = 0; o < out; ++o) {
      const double scale = static_cast<double>(gamma[o]) / std::sqrt(static_cast<double>(var[o]) + eps);
      for (size_t j = 0; j < per_filter; ++j) {
        fw.values[o * per_filter + j] = static_cast<float>(static_cast<double>(w.values[o * per_filter + j]) * scale);
      }
      fb.values[o] = static_cast<float>((static_cast<double>(bias[o]) - mean[o]) * scale + beta[o]);
    }
    folded.conv_weight.push_back(std::move(fw));
    folded.conv_bias.push_back(std::move(fb));
  }
  for (int i = 0; i < spec.dense_count(); ++i) {
    const std::string f = "fc" + std::to_string(i + 1);
    folded.dense_weight.push_back(weights.at(f + "_weight"));
    folded.dense_bias.push_back(weights.at(f + "_bias"));
  }
  return folded;
}

}  // namespace digitlab
