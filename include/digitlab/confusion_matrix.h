#pragma once

#include <array>
#include <cstdint>

namespace digitlab {

/// Counts of (true label, predicted digit) pairs over ten classes.
class ConfusionMatrix {
 public:
  /// Records one prediction. Throws std::out_of_range for labels outside 0..9.
  void add(int label, int predicted);
  /// Adds every count of another matrix.
  void merge(const ConfusionMatrix& other);

  /// Images with true label `label` predicted as `predicted`.
  int64_t count(int label, int predicted) const { return counts_.at(label).at(predicted); }
  /// All recorded predictions.
  int64_t total() const;
  /// Correct predictions (the diagonal).
  int64_t correct() const;
  /// correct() / total(), or 0 when empty.
  double accuracy() const;
  /// Accuracy over images whose true label is `label`, or 0 when there are none.
  double class_accuracy(int label) const;

 private:
  std::array<std::array<int64_t, 10>, 10> counts_{};
};

}  // namespace digitlab
