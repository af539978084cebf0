#include <digitlab/confusion_matrix.h>

#include <stdexcept>
#include <string>

namespace digitlab {

void ConfusionMatrix::add(int label, int predicted) {
  if (label < 0 || label > 9 || predicted < 0 || predicted > 9) {
    throw std::out_of_range("confusion matrix: class out of range (label " + std::to_string(label) +
                            ", predicted " + std::to_string(predicted) + ")");
  }
  ++counts_[label][predicted];
}

void ConfusionMatrix::merge(const ConfusionMatrix& other) {
  for (int l = 0; l < 10; ++l)
    for (int p = 0; p < 10; ++p) counts_[l][p] += other.counts_[l][p];
}

int64_t ConfusionMatrix::total() const {
  int64_t n = 0;
  for (const auto& row : counts_)
    for (const auto c : row) n += c;
  return n;
}

int64_t ConfusionMatrix::correct() const {
  int64_t n = 0;
  for (int d = 0; d < 10; ++d) n += counts_[d][d];
  return n;
}

double ConfusionMatrix::accuracy() const {
  const auto n = total();
  return n == 0 ? 0.0 : static_cast<double>(correct()) / static_cast<double>(n);
}

double ConfusionMatrix::class_accuracy(int label) const {
  int64_t n = 0;
  for (const auto c : counts_.at(label)) n += c;
  return n == 0 ? 0.0 : static_cast<double>(counts_[label][label]) / static_cast<double>(n);
}

}  // namespace digitlab
