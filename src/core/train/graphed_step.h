#pragma once
// One training step (gather the batch, augment it, forward, loss, backward, Adam) captured once in a CUDA graph and
// replayed for every batch: the GPU then runs the step's few hundred kernels back to back, with no launch gaps and
// no host in the loop. The data stay on the device, the convolutions run channels-last with cuDNN's autotuned
// algorithms, and the losses and hits of the epoch add up on the device.
//
// Available only in a build against a LibTorch with CUDA (DIGITLAB_WITH_CUDA) and for a CUDA device; the trainer
// falls back to its eager step otherwise. The batch size is fixed: an epoch's last, smaller batch is left out.

#include <digitlab/digit_net.h>

#include "train/augmenter.h"
#include "train/flat_adam.h"

#include <torch/torch.h>

#include <memory>

namespace digitlab {

struct GraphedStepOptions {
  int64_t batch_size = 128;
  double label_smoothing = 0.0;
  bool augment = true;
  double augment_strength = 1.0;
};

class GraphedStep {
 public:
  /// Whether this build can capture CUDA graphs and `device` is a CUDA device.
  static bool available(const torch::Device& device);

  /// `images` (N x 1 x H x W uint8) and `labels` (N, long) on the network's CUDA device. Lays the network's
  /// parameters out in `adam`'s flat buffers. Throws std::runtime_error when not available().
  GraphedStep(DigitNet& net, torch::Tensor images, torch::Tensor labels, GraphedStepOptions options);
  ~GraphedStep();
  GraphedStep(const GraphedStep&) = delete;
  GraphedStep& operator=(const GraphedStep&) = delete;

  FlatAdam& optimizer();

  /// One step on the images at `indices` (batch_size of them, long, on the device) with learning rate `lr`.
  /// The first few run eagerly (cuDNN's autotuning, then the capture); the rest replay the graph.
  void run(const torch::Tensor& indices, double lr);

  /// Zeroes the epoch's sums.
  void start_epoch();
  /// The epoch's summed training loss (times images) and correct count; reading them waits for the GPU.
  double loss_sum() const;
  int64_t correct() const;
  /// The last step's loss (waits for the GPU).
  double last_loss() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace digitlab
