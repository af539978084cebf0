#pragma once
// The confusion matrix of a run as a table: rows are the true labels, columns the predictions, both headed with
// the class names; correct answers in green, mistakes in red, darker the more there are. Up to kAllInView classes
// every cell is always in view; a larger matrix (26 letters, 62 characters) scrolls.

#include <QTableWidget>

#include <string>
#include <vector>

namespace digitlab {
class ConfusionMatrix;
}

namespace digitlab::app {

class ConfusionMatrixView : public QTableWidget {
  Q_OBJECT

 public:
  /// Most classes shown without scrolling.
  static constexpr int kAllInView = 12;

  /// An empty grid the size of a default ConfusionMatrix.
  explicit ConfusionMatrixView(QWidget* parent = nullptr);

  /// Shows the counts of `matrix`, one row and one column per class, headed with `names` (one per class; the
  /// class numbers when empty or of another length).
  void setMatrix(const digitlab::ConfusionMatrix& matrix, const std::vector<std::string>& names = {});
  /// Empties the cells, keeping the grid and its labels (QTableWidget::clear() would drop the labels too).
  void clearCounts();

  /// Room for every row and column at their smallest (for up to kAllInView classes; more scroll).
  QSize minimumSizeHint() const override;
  QSize sizeHint() const override;

 private:
  /// Sets the grid to one row and column per name, headed with the names (cut short across the top).
  void setClasses(const QStringList& names);
  int rowHeight() const;
  int columnWidth() const;
};

}  // namespace digitlab::app
