#include "heat_overlay.h"

#include "heat_image.h"

#include <QEvent>
#include <QPainter>

#include <algorithm>

namespace digitlab::app {

HeatOverlay::HeatOverlay(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_TransparentForMouseEvents);
  setAttribute(Qt::WA_NoSystemBackground);
  setFocusPolicy(Qt::NoFocus);
  parent->installEventFilter(this);
  setGeometry(parent->rect());
  hide();
}

void HeatOverlay::setHeat(const QImage& heat) {
  heat_ = heat;
  setVisible(!heat_.isNull());
  raise();
  update();
}

void HeatOverlay::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  update();
}

bool HeatOverlay::eventFilter(QObject* watched, QEvent* event) {
  if (watched == parentWidget() && event->type() == QEvent::Resize) setGeometry(parentWidget()->rect());
  return QWidget::eventFilter(watched, event);
}

void HeatOverlay::paintEvent(QPaintEvent*) {
  if (heat_.isNull()) return;
  QPainter painter(this);
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  paintHeat(painter, rect(), heat_, opacity_);
}

}  // namespace digitlab::app
