#include "axis_label.h"

#include <QPainter>

namespace digitlab::app {

AxisLabel::AxisLabel(const QString& text, Qt::Orientation orientation, QWidget* parent)
    : QWidget(parent), text_(text), orientation_(orientation) {
  setAccessibleName(text);
  setSizePolicy(orientation == Qt::Horizontal ? QSizePolicy::Preferred : QSizePolicy::Fixed,
                orientation == Qt::Horizontal ? QSizePolicy::Fixed : QSizePolicy::Preferred);
}

void AxisLabel::setText(const QString& text) {
  if (text == text_) return;
  text_ = text;
  setAccessibleName(text);
  updateGeometry();
  update();
}

QSize AxisLabel::sizeHint() const {
  const QSize across(fontMetrics().horizontalAdvance(text_) + 6, fontMetrics().height() + 2);
  return orientation_ == Qt::Horizontal ? across : across.transposed();
}

void AxisLabel::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setPen(palette().color(QPalette::WindowText));
  if (orientation_ == Qt::Horizontal) {
    painter.drawText(rect(), Qt::AlignCenter, text_);
    return;
  }
  // Upwards, read with the head tilted left, as a y axis title.
  painter.translate(0, height());
  painter.rotate(-90);
  painter.drawText(QRect(0, 0, height(), width()), Qt::AlignCenter, text_);
}

}  // namespace digitlab::app
