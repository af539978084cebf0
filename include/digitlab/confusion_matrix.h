#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace digitlab {

/// Counts of (true label, predicted class) pairs over a fixed number of classes.
class ConfusionMatrix {
 public:
  /// An empty matrix over `classes` classes (at least 1; throws std::invalid_argument otherwise).
  explicit ConfusionMatrix(int classes = 10);

  /// Records one prediction. Throws std::out_of_range for labels outside 0..classes()-1.
  void add(int label, int predicted);
  /// Adds every count of another matrix; throws std::invalid_argument when the class counts differ.
  void merge(const ConfusionMatrix& other);

  /// Number of classes.
  int classes() const { return classes_; }
  /// Images with true label `label` predicted as `predicted` (unchecked).
  int64_t count(int label, int predicted) const { return counts_[index(label, predicted)]; }
  /// Images whose true label is `label`.
  int64_t row_total(int label) const;
  /// The largest count off the diagonal (0 when there is none).
  int64_t largest_error() const;
  /// All recorded predictions.
  int64_t total() const;
  /// Correct predictions (the diagonal).
  int64_t correct() const;
  /// correct() / total(), or 0 when empty.
  double accuracy() const;
  /// Accuracy over images whose true label is `label`, or 0 when there are none.
  double class_accuracy(int label) const;

  /// The one JSON form (metrics.json, `eval --json`): an array of rows, rows the true labels, columns the
  /// predictions.
  std::string to_json() const;
  /// Parses to_json()'s form; throws std::invalid_argument for anything else (ragged rows, negative counts).
  static ConfusionMatrix from_json(const std::string& text);

 private:
  size_t index(int label, int predicted) const {
    return static_cast<size_t>(label) * static_cast<size_t>(classes_) + static_cast<size_t>(predicted);
  }

  int classes_;
  std::vector<int64_t> counts_;
};

}  // namespace digitlab
