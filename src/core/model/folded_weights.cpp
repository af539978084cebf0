#include "model/folded_weights.h"

namespace digitlab {

FoldedWeights fold_batch_norms(const DigitNet& net) {
  torch::NoGradGuard no_grad;
  FoldedWeights w;
  w.spec = net->spec();
  const auto f64 = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kDouble); };
  const auto f32 = [](const torch::Tensor& t) { return t.to(torch::kFloat).contiguous(); };
  for (int i = 0; i < w.spec.conv_count(); ++i) {
    const auto& conv = net->conv(i);
    const auto& bn = net->bn(i);
    const auto scale = f64(bn->weight) / (f64(bn->running_var) + bn->options.eps()).sqrt();
    w.conv_weight.push_back(f32(f64(conv->weight) * scale.view({-1, 1, 1, 1})));
    w.conv_bias.push_back(f32((f64(conv->bias) - f64(bn->running_mean)) * scale + f64(bn->bias)));
  }
  for (int i = 0; i < w.spec.dense_count(); ++i) {
    w.dense_weight.push_back(f32(net->dense(i)->weight.detach().cpu()));
    w.dense_bias.push_back(f32(net->dense(i)->bias.detach().cpu()));
  }
  return w;
}

}  // namespace digitlab
