#include "confusion_matrix_view.h"

#include <digitlab/confusion_matrix.h>

#include <QHeaderView>
#include <QStringList>
#include <QStyle>

#include <algorithm>

namespace digitlab::app {
namespace {

/// Longest row heading, in characters: a long class name is cut short (the whole name is in its tooltip).
constexpr int kLongestRowName = 12;

QStringList classNames(const std::vector<std::string>& names, int classes) {
  QStringList out;
  for (int c = 0; c < classes; ++c) {
    out << (names.size() == static_cast<size_t>(classes) ? QString::fromStdString(names[static_cast<size_t>(c)])
                                                         : QString::number(c));
  }
  return out;
}

}  // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QTableWidget(parent) {
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setCornerButtonEnabled(false);
  // Compact rows, stretched when there is room; the view never asks for less than all of them.
  verticalHeader()->setMinimumSectionSize(rowHeight());
  verticalHeader()->setDefaultSectionSize(rowHeight());
  horizontalHeader()->setMinimumSectionSize(columnWidth());
  horizontalHeader()->setDefaultSectionSize(columnWidth());
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::MinimumExpanding);
  setToolTip(tr("Confusion matrix on the test set: rows are the true classes, columns the predictions"));
  setClasses(classNames({}, ConfusionMatrix().classes()));
}

int ConfusionMatrixView::rowHeight() const { return fontMetrics().height() + 4; }

int ConfusionMatrixView::columnWidth() const { return fontMetrics().horizontalAdvance(QStringLiteral("0000")) + 8; }

QSize ConfusionMatrixView::minimumSizeHint() const {
  const int frame = 2 * frameWidth();
  const int shown = std::min(kAllInView, rowCount());
  // A matrix that scrolls keeps room for its scroll bars.
  const int bars = rowCount() > kAllInView ? style()->pixelMetric(QStyle::PM_ScrollBarExtent) : 0;
  return {verticalHeader()->sizeHint().width() + shown * columnWidth() + frame + bars,
          horizontalHeader()->sizeHint().height() + shown * rowHeight() + frame + bars};
}

QSize ConfusionMatrixView::sizeHint() const { return minimumSizeHint(); }

void ConfusionMatrixView::setClasses(const QStringList& names) {
  const int classes = static_cast<int>(names.size());
  setRowCount(classes);
  setColumnCount(classes);
  for (int c = 0; c < classes; ++c) {
    const QString& name = names[c];
    auto* across = new QTableWidgetItem(fontMetrics().elidedText(name, Qt::ElideRight, columnWidth() - 4));
    across->setToolTip(tr("Predicted %1").arg(name));
    setHorizontalHeaderItem(c, across);
    auto* down =
        new QTableWidgetItem(name.size() <= kLongestRowName ? name : name.left(kLongestRowName - 1) + QChar(0x2026));
    down->setToolTip(tr("True %1").arg(name));
    setVerticalHeaderItem(c, down);
  }
  // Up to kAllInView classes every cell is in view and the cells share the room; more keep their least size
  // and scroll.
  const bool fits = classes <= kAllInView;
  const auto mode = fits ? QHeaderView::Stretch : QHeaderView::Fixed;
  horizontalHeader()->setSectionResizeMode(mode);
  verticalHeader()->setSectionResizeMode(mode);
  setHorizontalScrollBarPolicy(fits ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
  setVerticalScrollBarPolicy(fits ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
  updateGeometry();
}

void ConfusionMatrixView::setMatrix(const ConfusionMatrix& m, const std::vector<std::string>& names) {
  const QStringList labels = classNames(names, m.classes());
  setClasses(labels);
  const int64_t maxOff = std::max<int64_t>(1, m.largest_error());
  for (int l = 0; l < m.classes(); ++l) {
    const int64_t row = m.row_total(l);
    for (int p = 0; p < m.classes(); ++p) {
      const int64_t n = m.count(l, p);
      auto* item = new QTableWidgetItem(QString::number(n));
      item->setTextAlignment(Qt::AlignCenter);
      item->setToolTip(tr("True %1, predicted %2: %3").arg(labels[l], labels[p]).arg(n));
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
