#include "model/folded_weights.h"

#include "native/folded_arrays.h"

#include <digitlab/torchscript.h>

#include <map>

namespace digitlab {
namespace {

FloatArray to_array(const torch::Tensor& t) {
  const auto c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return {c.sizes().vec(), std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())};
}

torch::Tensor to_tensor(const FloatArray& a) {
  return torch::from_blob(const_cast<float*>(a.values.data()), a.shape, torch::kFloat).clone();
}

}  // namespace

FoldedArrays fold_batch_norm_arrays(const DigitNet& net) {
  torch::NoGradGuard no_grad;
  std::map<std::string, FloatArray> weights;
  for (const auto& [name, tensor] : named_weights(net)) weights[name] = to_array(tensor);
  return fold_batch_norms(net->spec(), weights, net->bn(0)->options.eps());
}

FoldedWeights fold_batch_norms(const DigitNet& net) {
  const FoldedArrays arrays = fold_batch_norm_arrays(net);
  FoldedWeights w;
  w.spec = arrays.spec;
  for (const auto& a : arrays.conv_weight) w.conv_weight.push_back(to_tensor(a));
  for (const auto& a : arrays.conv_bias) w.conv_bias.push_back(to_tensor(a));
  for (const auto& a : arrays.dense_weight) w.dense_weight.push_back(to_tensor(a));
  for (const auto& a : arrays.dense_bias) w.dense_bias.push_back(to_tensor(a));
  return w;
}

}  // namespace digitlab
