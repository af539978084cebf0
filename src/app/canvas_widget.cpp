#include "canvas_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace digitlab::app {
namespace {

/// Width of the focus frame, in pixels.
constexpr int kFocusFrame = 2;

}  // namespace

CanvasWidget::CanvasWidget(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setCursor(Qt::CrossCursor);
  setFocusPolicy(Qt::StrongFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAccessibleName(tr("Drawing canvas"));
}

void CanvasWidget::setPlaceholderText(const QString& text) {
  placeholder_ = text;
  if (strokes_.isEmpty()) update();
}

void CanvasWidget::setStrokeWidth(int width) { strokeWidth_ = std::clamp(width, 4, 60); }

void CanvasWidget::clear() {
  if (strokes_.isEmpty()) return;
  strokes_.clear();
  drawing_ = false;
  fitView();
  update();
  Q_EMIT changed();
}

void CanvasWidget::undoStroke() {
  if (strokes_.isEmpty()) return;
  strokes_.removeLast();
  drawing_ = false;
  if (strokes_.isEmpty()) fitView();
  update();
  Q_EMIT changed();
}

QImage CanvasWidget::image() const {
  QImage out(size(), QImage::Format_Grayscale8);
  out.fill(Qt::black);
  QPainter painter(&out);
  painter.setTransform(view_);
  paintStrokes(painter);
  return out;
}

QRectF CanvasWidget::inkBounds() const {
  QRectF bounds;
  for (const Stroke& stroke : strokes_) {
    const qreal r = stroke.width / 2;
    for (const QPointF& p : stroke.points) bounds |= QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r);
  }
  return bounds;
}

void CanvasWidget::fitView() {
  if (strokes_.isEmpty()) {
    page_ = QRectF(QPointF(0, 0), QSizeF(size()));
    view_.reset();
    return;
  }
  // The page and all ink, as large as fits, centred; the same scale both ways so that digits keep their shape.
  const QRectF region = page_ | inkBounds();
  if (region.isEmpty() || width() <= 0 || height() <= 0) return;
  const qreal scale = std::min(width() / region.width(), height() / region.height());
  const QPointF offset((width() - region.width() * scale) / 2, (height() - region.height() * scale) / 2);
  view_ = QTransform::fromTranslate(offset.x(), offset.y()).scale(scale, scale).translate(-region.x(), -region.y());
}

QPointF CanvasWidget::toDrawing(const QPointF& widgetPoint) const { return view_.inverted().map(widgetPoint); }

void CanvasWidget::resizeEvent(QResizeEvent*) { fitView(); }

void CanvasWidget::focusInEvent(QFocusEvent* event) {
  QWidget::focusInEvent(event);
  update();
}

void CanvasWidget::focusOutEvent(QFocusEvent* event) {
  QWidget::focusOutEvent(event);
  update();
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
    painter.drawText(rect(), Qt::AlignCenter, placeholder_);
  } else {
    painter.save();
    painter.setTransform(view_);
    paintStrokes(painter);
    painter.restore();
  }
  if (hasFocus()) {
    // Keyboard focus (Ctrl+Z, Delete, Ctrl+Enter act here): a frame in the highlight colour.
    QPen frame(palette().color(QPalette::Highlight), kFocusFrame);
    frame.setJoinStyle(Qt::MiterJoin);
    painter.setPen(frame);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(
        QRectF(rect()).adjusted(kFocusFrame / 2.0, kFocusFrame / 2.0, -kFocusFrame / 2.0, -kFocusFrame / 2.0));
  }
}

void CanvasWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  if (strokes_.isEmpty()) fitView();  // a new page: the widget as it is now
  // The pen is strokeWidth_ pixels wide on screen, whatever the drawing's scale.
  const qreal width = strokeWidth_ / std::max(1e-6, std::sqrt(std::abs(view_.determinant())));
  strokes_.append({{toDrawing(event->position())}, width});
  drawing_ = true;
  update();
  Q_EMIT changed();
}

void CanvasWidget::mouseMoveEvent(QMouseEvent* event) {
  if (!drawing_ || !(event->buttons() & Qt::LeftButton) || strokes_.isEmpty()) return;
  QVector<QPointF>& points = strokes_.last().points;
  const QPointF point = toDrawing(event->position());
  if (points.last() == point) return;
  points.append(point);
  update();
  Q_EMIT changed();
}

void CanvasWidget::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !drawing_) return;
  drawing_ = false;
  Q_EMIT strokeFinished();
}

}  // namespace digitlab::app
