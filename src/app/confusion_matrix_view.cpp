#include "confusion_matrix_view.h"

#include <digitlab/confusion_matrix.h>

#include <QHeaderView>
#include <QStringList>

#include <algorithm>

namespace digitlab::app {

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QTableWidget(parent) {
  setClasses(ConfusionMatrix().classes());
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  setToolTip(tr("Confusion matrix on the test set: rows are the true digits, columns the predictions"));
  setMinimumHeight(220);
}

void ConfusionMatrixView::setClasses(int classes) {
  setRowCount(classes);
  setColumnCount(classes);
  QStringList labels;
  for (int c = 0; c < classes; ++c) labels << QString::number(c);
  setHorizontalHeaderLabels(labels);
  setVerticalHeaderLabels(labels);
}

void ConfusionMatrixView::setMatrix(const ConfusionMatrix& m) {
  if (m.classes() != rowCount() || m.classes() != columnCount()) setClasses(m.classes());
  const int64_t maxOff = std::max<int64_t>(1, m.largest_error());
  for (int l = 0; l < m.classes(); ++l) {
    const int64_t row = m.row_total(l);
    for (int p = 0; p < m.classes(); ++p) {
      const int64_t n = m.count(l, p);
      auto* item = new QTableWidgetItem(QString::number(n));
      item->setTextAlignment(Qt::AlignCenter);
      // The diagonal is shaded by the share of its row, a mistake by its size against the largest mistake.
      const double weight = l == p ? (row > 0 ? static_cast<double>(n) / row : 0) : static_cast<double>(n) / maxOff;
      const QColor base = l == p ? QColor(46, 160, 67) : QColor(218, 54, 51);
      QColor fill = base;
      fill.setAlphaF(n == 0 ? 0.0 : 0.15 + 0.6 * weight);
      item->setBackground(fill);
      setItem(l, p, item);
    }
  }
}

void ConfusionMatrixView::clearCounts() { clearContents(); }

}  // namespace digitlab::app
