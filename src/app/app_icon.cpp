#include "app_icon.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace digitlab::app {
namespace {

/// Paints the 256x256 design of resources/digitlab.svg, scaled to `side` pixels.
QPixmap paintIcon(int side) {
  QPixmap pixmap(side, side);
  pixmap.fill(Qt::transparent);
  QPainter p(&pixmap);
  p.setRenderHint(QPainter::Antialiasing);
  p.scale(side / 256.0, side / 256.0);
  QLinearGradient slate(0, 8, 0, 248);
  slate.setColorAt(0, QColor("#2b3440"));
  slate.setColorAt(1, QColor("#161b22"));
  p.setPen(Qt::NoPen);
  p.setBrush(slate);
  p.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44);
  QColor grid(255, 255, 255, 18);
  p.setPen(QPen(grid, 2));
  for (int v = 64; v <= 192; v += 32) {
    p.drawLine(v, 40, v, 216);
    p.drawLine(40, v, 216, v);
  }
  QPainterPath seven(QPointF(76, 78));
  seven.cubicTo(112, 70, 152, 68, 182, 72);
  seven.cubicTo(160, 110, 138, 150, 116, 196);
  p.setBrush(Qt::NoBrush);
  p.setPen(QPen(QColor("#f5f7fa"), 22, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  p.drawPath(seven);
  p.setPen(QPen(QColor("#f5f7fa"), 16, Qt::SolidLine, Qt::RoundCap));
  p.drawLine(QPointF(104, 136), QPointF(160, 136));
  p.setPen(Qt::NoPen);
  p.setBrush(QColor("#3fb950"));
  p.drawEllipse(QPointF(200, 200), 22, 22);
  QPainterPath check(QPointF(189, 200));
  check.lineTo(197, 208);
  check.lineTo(211, 192);
  p.setBrush(Qt::NoBrush);
  p.setPen(QPen(QColor("#0d1117"), 6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  p.drawPath(check);
  return pixmap;
}

}  // namespace

QIcon appIcon() {
  QIcon icon;
  for (const int side : {16, 24, 32, 48, 64, 128, 256}) icon.addPixmap(paintIcon(side));
  return icon;
}

}  // namespace digitlab::app
