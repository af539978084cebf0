#include <digitlab/evaluator.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

namespace digitlab {

torch::Tensor images_tensor(const IdxDataset& data, int64_t begin, int64_t end) {
  const int64_t pixels = static_cast<int64_t>(data.rows()) * data.cols();
  auto* base = const_cast<uint8_t*>(data.pixels().data()) + begin * pixels;
  return torch::from_blob(base, {end - begin, 1, data.rows(), data.cols()}, torch::kUInt8).clone();
}

torch::Tensor labels_tensor(const IdxDataset& data, int64_t begin, int64_t end) {
  auto* base = const_cast<uint8_t*>(data.labels().data()) + begin;
  return torch::from_blob(base, {end - begin}, torch::kUInt8).to(torch::kLong);
}

ConfusionMatrix evaluate(const BatchScorer& scorer, const IdxDataset& data, const torch::Device& device, int64_t limit,
                         int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const auto size = static_cast<int64_t>(data.size());
  const int64_t n = limit > 0 ? std::min(limit, size) : size;
  std::optional<ConfusionMatrix> matrix;
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t end = std::min(n, begin + batch_size);
    const auto x = images_tensor(data, begin, end).to(device).to(torch::kFloat).div_(255.0);
    const auto scores = scorer(x);
    if (scores.dim() != 2 || scores.size(0) != end - begin || scores.size(1) < 2) {
      throw std::runtime_error("the model scored a batch of " + std::to_string(end - begin) + " images with " +
                               std::to_string(scores.dim() == 2 ? scores.size(0) : 0) +
                               " rows, expected one row of at least 2 classes per image");
    }
    if (!matrix) matrix.emplace(static_cast<int>(scores.size(1)));  // as many classes as the model has
    const auto predicted = scores.argmax(/*dim=*/1).to(torch::kCPU);
    const auto* pred = predicted.data_ptr<int64_t>();
    for (int64_t i = begin; i < end; ++i) matrix->add(data.labels()[i], static_cast<int>(pred[i - begin]));
  }
  return matrix ? *matrix : ConfusionMatrix();
}

}  // namespace digitlab
