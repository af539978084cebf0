#include "canvas_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace digitlab::app {

CanvasWidget::CanvasWidget(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setCursor(Qt::CrossCursor);
  setFocusPolicy(Qt::StrongFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAccessibleName(tr("Drawing canvas"));
}

void CanvasWidget::setStrokeWidth(int width) { strokeWidth_ = std::clamp(width, 4, 60); }

void CanvasWidget::clear() {
  if (strokes_.isEmpty()) return;
  strokes_.clear();
  drawing_ = false;
  update();
  Q_EMIT changed();
}

void CanvasWidget::undoStroke() {
  if (strokes_.isEmpty()) return;
  strokes_.removeLast();
  drawing_ = false;
  update();
  Q_EMIT changed();
}

QImage CanvasWidget::image() const {
  QImage out(size(), QImage::Format_Grayscale8);
  out.fill(Qt::black);
  QPainter painter(&out);
  paintStrokes(painter);
  return out;
}

void CanvasWidget::paintStrokes(QPainter& painter) const {
  painter.setRenderHint(QPainter::Antialiasing);
  for (const Stroke& stroke : strokes_) {
    QPen pen(Qt::white, stroke.width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    painter.setPen(pen);
    if (stroke.points.size() == 1) {
      painter.drawPoint(stroke.points.front());  // a dot: the round cap makes it a disc
      continue;
    }
    QPainterPath path(stroke.points.front());
    for (int i = 1; i < stroke.points.size(); ++i) path.lineTo(stroke.points[i]);
    painter.drawPath(path);
  }
}

void CanvasWidget::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), Qt::black);
  if (strokes_.isEmpty()) {
    painter.setPen(QColor(120, 128, 140));
    painter.drawText(rect(), Qt::AlignCenter, tr("Draw a digit here"));
    return;
  }
  paintStrokes(painter);
}

void CanvasWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  strokes_.append({{event->position()}, static_cast<qreal>(strokeWidth_)});
  drawing_ = true;
  update();
  Q_EMIT changed();
}

void CanvasWidget::mouseMoveEvent(QMouseEvent* event) {
  if (!drawing_ || !(event->buttons() & Qt::LeftButton) || strokes_.isEmpty()) return;
  QVector<QPointF>& points = strokes_.last().points;
  if (points.last() == event->position()) return;
  points.append(event->position());
  update();
  Q_EMIT changed();
}

void CanvasWidget::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !drawing_) return;
  drawing_ = false;
  Q_EMIT strokeFinished();
}

}  // namespace digitlab::app
