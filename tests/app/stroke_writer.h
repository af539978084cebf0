#pragma once
// Writes digits and symbols on DigitLab's canvas with synthetic mouse events, for the app tests and the screenshot
// tool; each copy of a symbol can vary in place, size, slant, wobble and pen width like handwriting.

#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <QVector>

class QRandomGenerator;
class QWidget;

namespace digitlab::apptest {

/// Presses the left button at the first point, moves through the others and releases at the last; points are in
/// the unit square of `canvas` (0,0 top left, 1,1 bottom right).
void drawStroke(QWidget* canvas, const QVector<QPointF>& unitPoints);

/// Handwriting-like strokes of `digit` (0, 1, 2, 6 or 7) in the unit square.
QVector<QVector<QPointF>> digitStrokes(int digit);

/// Writes `digit` inside `box`, a part of the canvas in unit coordinates.
void drawDigit(QWidget* canvas, int digit, const QRectF& box = QRectF(0.25, 0.12, 0.5, 0.76));

/// The symbols symbolStrokes() knows, none of them a digit: "α", "+", "△".
QStringList symbolNames();

/// Handwriting-like strokes of a symbol of symbolNames() in the unit square.
QVector<QVector<QPointF>> symbolStrokes(const QString& symbol);

/// How one hand-drawn copy differs from the next.
struct Variation {
  QRectF box;            ///< Where on the canvas, in unit coordinates.
  double slant = 0;      ///< Horizontal shear: x moves by slant * (0.5 - y) of the box width.
  double wobble = 0;     ///< Largest random offset of each point, in units of the box.
  int strokeWidth = 22;  ///< Pen width in pixels.
};

/// A random variation: the box's centre within 0.08 of the canvas's, its side 0.45 to 0.65 of the canvas, slant
/// -0.25 to 0.25, wobble up to 0.02, pen 12 to 34 pixels.
Variation randomVariation(QRandomGenerator& random);

/// Draws `strokes` (unit square) as `variation` says; sets the canvas's pen width through its setStrokeWidth slot.
void drawVaried(QWidget* canvas, const QVector<QVector<QPointF>>& strokes, const Variation& variation,
                QRandomGenerator& random);

}  // namespace digitlab::apptest
