#include <digitlab/confusion_matrix.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace digitlab {

ConfusionMatrix::ConfusionMatrix(int classes) : classes_(classes) {
  if (classes < 1) throw std::invalid_argument("confusion matrix: needs at least one class");
  counts_.assign(static_cast<size_t>(classes) * static_cast<size_t>(classes), 0);
}

void ConfusionMatrix::add(int label, int predicted) {
  if (label < 0 || label >= classes_ || predicted < 0 || predicted >= classes_) {
    throw std::out_of_range("confusion matrix: class out of range (label " + std::to_string(label) + ", predicted " +
                            std::to_string(predicted) + ", classes " + std::to_string(classes_) + ")");
  }
  ++counts_[index(label, predicted)];
}

void ConfusionMatrix::merge(const ConfusionMatrix& other) {
  if (other.classes_ != classes_) {
    throw std::invalid_argument("confusion matrix: cannot merge " + std::to_string(other.classes_) + " classes into " +
                                std::to_string(classes_));
  }
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
}

int64_t ConfusionMatrix::row_total(int label) const {
  int64_t n = 0;
  for (int p = 0; p < classes_; ++p) n += count(label, p);
  return n;
}

int64_t ConfusionMatrix::largest_error() const {
  int64_t largest = 0;
  for (int l = 0; l < classes_; ++l)
    for (int p = 0; p < classes_; ++p)
      if (l != p) largest = std::max(largest, count(l, p));
  return largest;
}

int64_t ConfusionMatrix::total() const {
  int64_t n = 0;
  for (const auto c : counts_) n += c;
  return n;
}

int64_t ConfusionMatrix::correct() const {
  int64_t n = 0;
  for (int d = 0; d < classes_; ++d) n += count(d, d);
  return n;
}

double ConfusionMatrix::accuracy() const {
  const auto n = total();
  return n == 0 ? 0.0 : static_cast<double>(correct()) / static_cast<double>(n);
}

double ConfusionMatrix::class_accuracy(int label) const {
  const auto n = row_total(label);
  return n == 0 ? 0.0 : static_cast<double>(count(label, label)) / static_cast<double>(n);
}

std::string ConfusionMatrix::to_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (int l = 0; l < classes_; ++l) {
    rows.push_back(std::vector<int64_t>(counts_.begin() + static_cast<std::ptrdiff_t>(index(l, 0)),
                                        counts_.begin() + static_cast<std::ptrdiff_t>(index(l, 0) + classes_)));
  }
  return rows.dump();
}

ConfusionMatrix ConfusionMatrix::from_json(const std::string& text) {
  const auto rows = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!rows.is_array() || rows.empty()) {
    throw std::invalid_argument("confusion matrix: expected a JSON array of rows");
  }
  ConfusionMatrix m(static_cast<int>(rows.size()));
  for (int l = 0; l < m.classes_; ++l) {
    const auto& row = rows[static_cast<size_t>(l)];
    if (!row.is_array() || row.size() != rows.size()) {
      throw std::invalid_argument("confusion matrix: row " + std::to_string(l) + " does not have " +
                                  std::to_string(rows.size()) + " counts");
    }
    for (int p = 0; p < m.classes_; ++p) {
      const auto& c = row[static_cast<size_t>(p)];
      if (!c.is_number_integer() || c.get<int64_t>() < 0) {
        throw std::invalid_argument("confusion matrix: count at row " + std::to_string(l) + ", column " +
                                    std::to_string(p) + " is not a count");
      }
      m.counts_[m.index(l, p)] = c.get<int64_t>();
    }
  }
  return m;
}

}  // namespace digitlab
