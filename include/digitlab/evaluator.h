#pragma once

#include <digitlab/confusion_matrix.h>
#include <digitlab/idx_dataset.h>

#include <torch/torch.h>

#include <functional>

namespace digitlab {

/// A batch of raw [0,1] images (N x 1 x 28 x 28) in, N x C scores (logits or probabilities) out.
using BatchScorer = std::function<torch::Tensor(const torch::Tensor&)>;

/// Images [begin, end) of a dataset as a uint8 N x 1 x rows x cols tensor (a copy).
torch::Tensor images_tensor(const IdxDataset& data, int64_t begin, int64_t end);
/// Labels [begin, end) of a dataset as an int64 tensor (a copy).
torch::Tensor labels_tensor(const IdxDataset& data, int64_t begin, int64_t end);

/// Scores the first `limit` images (0: all) in batches on device, under NoGradGuard,
/// and returns the confusion matrix of argmax predictions over the scorer's C classes.
ConfusionMatrix evaluate(const BatchScorer& scorer, const IdxDataset& data, const torch::Device& device,
                         int64_t limit = 0, int64_t batch_size = 1000);

}  // namespace digitlab
