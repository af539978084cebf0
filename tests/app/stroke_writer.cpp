#include "stroke_writer.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QMouseEvent>
#include <QRandomGenerator>
#include <QWidget>

#include <cmath>
#include <stdexcept>

namespace digitlab::apptest {
namespace {

void send(QWidget* canvas, QEvent::Type type, const QPointF& pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
  QMouseEvent event(type, pos, canvas->mapToGlobal(pos), button, buttons, Qt::NoModifier);
  QCoreApplication::sendEvent(canvas, &event);
}

/// Points on an ellipse arc, angles in degrees (0 = right, 90 = down, as on screen).
QVector<QPointF> arc(QPointF centre, double rx, double ry, double fromDeg, double toDeg, int steps) {
  QVector<QPointF> points;
  for (int i = 0; i <= steps; ++i) {
    const double a = (fromDeg + (toDeg - fromDeg) * i / steps) * M_PI / 180.0;
    points.append({centre.x() + rx * std::cos(a), centre.y() + ry * std::sin(a)});
  }
  return points;
}

}  // namespace

void drawStroke(QWidget* canvas, const QVector<QPointF>& unitPoints) {
  if (unitPoints.isEmpty()) return;
  const auto at = [canvas](const QPointF& p) { return QPointF(p.x() * canvas->width(), p.y() * canvas->height()); };
  send(canvas, QEvent::MouseButtonPress, at(unitPoints.front()), Qt::LeftButton, Qt::LeftButton);
  for (int i = 1; i < unitPoints.size(); ++i) {
    // Intermediate points every few pixels, as a real mouse reports them.
    const QPointF from = at(unitPoints[i - 1]);
    const QPointF to = at(unitPoints[i]);
    const int steps = std::max(1, static_cast<int>(std::hypot(to.x() - from.x(), to.y() - from.y()) / 4));
    for (int s = 1; s <= steps; ++s) {
      send(canvas, QEvent::MouseMove, from + (to - from) * (static_cast<double>(s) / steps), Qt::NoButton,
           Qt::LeftButton);
    }
  }
  send(canvas, QEvent::MouseButtonRelease, at(unitPoints.back()), Qt::LeftButton, Qt::NoButton);
}

QVector<QVector<QPointF>> digitStrokes(int digit) {
  switch (digit) {
    case 0:
      return {arc({0.5, 0.5}, 0.3, 0.44, -90, 275, 48)};
    case 1:
      return {{{0.56, 0.04}, {0.44, 0.96}}};
    case 2: {
      QVector<QPointF> two = arc({0.5, 0.3}, 0.3, 0.26, 190, 380, 24);
      two.append({{0.12, 0.95}, {0.9, 0.95}});
      return {two};
    }
    case 6: {
      QVector<QPointF> six = {{0.74, 0.04}, {0.45, 0.25}, {0.24, 0.55}};
      six.append(arc({0.5, 0.7}, 0.27, 0.25, 180, 540, 40));
      return {six};
    }
    case 7:
      return {{{0.12, 0.08}, {0.88, 0.08}, {0.4, 0.96}}};
    default:
      throw std::invalid_argument("no strokes for digit " + std::to_string(digit));
  }
}

void drawDigit(QWidget* canvas, int digit, const QRectF& box) {
  for (const QVector<QPointF>& stroke : digitStrokes(digit)) {
    QVector<QPointF> placed;
    for (const QPointF& p : stroke) placed.append({box.x() + p.x() * box.width(), box.y() + p.y() * box.height()});
    drawStroke(canvas, placed);
  }
}

QStringList symbolNames() { return {QStringLiteral("α"), QStringLiteral("+"), QStringLiteral("△")}; }

QVector<QVector<QPointF>> symbolStrokes(const QString& symbol) {
  if (symbol == QStringLiteral("α")) {
    // A loop open on the right, its tail crossing back out: the fish-like alpha.
    QVector<QPointF> alpha = {{0.95, 0.2}, {0.8, 0.45}};
    alpha.append(arc({0.45, 0.55}, 0.36, 0.3, -20, -340, 40));
    alpha.append({{0.8, 0.65}, {0.98, 0.9}});
    return {alpha};
  }
  if (symbol == QStringLiteral("+")) return {{{0.5, 0.05}, {0.5, 0.95}}, {{0.05, 0.5}, {0.95, 0.5}}};
  if (symbol == QStringLiteral("△")) return {{{0.5, 0.05}, {0.95, 0.92}, {0.05, 0.92}, {0.5, 0.05}}};
  throw std::invalid_argument("no strokes for symbol " + symbol.toStdString());
}

Variation randomVariation(QRandomGenerator& random) {
  const auto uniform = [&random](double low, double high) { return low + (high - low) * random.generateDouble(); };
  Variation v;
  const double side = uniform(0.45, 0.65);
  const double cx = 0.5 + uniform(-0.08, 0.08);
  const double cy = 0.5 + uniform(-0.08, 0.08);
  v.box = QRectF(cx - side / 2, cy - side / 2, side, side);
  v.slant = uniform(-0.25, 0.25);
  v.wobble = uniform(0.0, 0.02);
  v.strokeWidth = static_cast<int>(uniform(12, 34));
  return v;
}

void drawVaried(QWidget* canvas, const QVector<QVector<QPointF>>& strokes, const Variation& variation,
                QRandomGenerator& random) {
  QMetaObject::invokeMethod(canvas, "setStrokeWidth", Q_ARG(int, variation.strokeWidth));
  const QRectF& box = variation.box;
  for (const QVector<QPointF>& stroke : strokes) {
    QVector<QPointF> placed;
    for (const QPointF& p : stroke) {
      const double x = p.x() + variation.slant * (0.5 - p.y()) + variation.wobble * (2 * random.generateDouble() - 1);
      const double y = p.y() + variation.wobble * (2 * random.generateDouble() - 1);
      placed.append({box.x() + x * box.width(), box.y() + y * box.height()});
    }
    drawStroke(canvas, placed);
  }
}

}  // namespace digitlab::apptest
