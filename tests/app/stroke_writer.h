#pragma once
// Writes digits on DigitLab's canvas with synthetic mouse events, for the app tests and the screenshot tool.

#include <QPointF>
#include <QRectF>
#include <QVector>

class QWidget;

namespace digitlab::apptest {

/// Presses the left button at the first point, moves through the others and releases at the last; points are in
/// the unit square of `canvas` (0,0 top left, 1,1 bottom right).
void drawStroke(QWidget* canvas, const QVector<QPointF>& unitPoints);

/// Handwriting-like strokes of `digit` (0, 1, 2, 6 or 7) in the unit square.
QVector<QVector<QPointF>> digitStrokes(int digit);

/// Writes `digit` inside `box`, a part of the canvas in unit coordinates.
void drawDigit(QWidget* canvas, int digit, const QRectF& box = QRectF(0.25, 0.12, 0.5, 0.76));

}  // namespace digitlab::apptest
