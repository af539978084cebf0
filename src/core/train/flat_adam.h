#pragma once
// Adam over one flat buffer: every parameter becomes a view into one tensor and every gradient a view into another,
// so a step is a dozen whole-buffer operations whatever the number of layers, and the step count, learning rate and
// bias corrections live on the device. Nothing in a step reads a value back to the host, which is what lets a CUDA
// graph capture it (graphed_step.h). Same update as torch::optim::Adam (no weight decay, no amsgrad).

#include <torch/torch.h>

#include <vector>

namespace digitlab {

class FlatAdam {
 public:
  /// Moves the parameters' values into the flat buffer (on their device) and gives each a gradient view; 4-d
  /// parameters (convolution weights) are laid out channels-last when `channels_last`.
  explicit FlatAdam(std::vector<torch::Tensor> params, bool channels_last = false, double beta1 = 0.9,
                    double beta2 = 0.999, double eps = 1e-8);

  /// Zeroes every gradient (one operation); backward then accumulates into the views.
  void zero_grad();
  /// One Adam step with the learning rate last set by set_lr().
  void step();
  /// Writes the learning rate into its device tensor (no host synchronisation).
  void set_lr(double lr);

  int64_t numel() const { return values_.numel(); }
  /// Steps taken so far (reads the device).
  int64_t steps() const;

  /// The moments and step count, for a checkpoint; restore() takes them back (shapes must match).
  std::vector<torch::Tensor> state() const;
  void restore(const std::vector<torch::Tensor>& state);

 private:
  std::vector<torch::Tensor> params_;
  torch::Tensor values_, grads_, exp_avg_, exp_avg_sq_;
  torch::Tensor step_, lr_;  // 0-d float tensors on the device
  double beta1_, beta2_, eps_;
};

}  // namespace digitlab
