#pragma once
// The confusion matrix of a run as a table: rows are the true labels, columns the predictions; correct answers
// in green, mistakes in red, darker the more there are.

#include <QTableWidget>

namespace digitlab {
class ConfusionMatrix;
}

namespace digitlab::app {

class ConfusionMatrixView : public QTableWidget {
  Q_OBJECT

 public:
  /// An empty grid the size of a default ConfusionMatrix.
  explicit ConfusionMatrixView(QWidget* parent = nullptr);

  /// Shows the counts of `matrix`, one row and one column per class (labels 0..classes-1).
  void setMatrix(const digitlab::ConfusionMatrix& matrix);
  /// Empties the cells, keeping the grid and its labels (QTableWidget::clear() would drop the labels too).
  void clearCounts();

 private:
  /// Sets the grid to `classes` rows and columns, labelled 0..classes-1.
  void setClasses(int classes);
};

}  // namespace digitlab::app
