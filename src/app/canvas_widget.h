#pragma once
// The drawing canvas: white, antialiased, round-capped ink on black, drawn with a mouse, a pen or a finger
// (Qt turns pen and touch input into mouse events for widgets that do not take them themselves). When the
// widget changes size the drawing is scaled to fit, never cropped: ink near an edge stays in view and in the image
// the model reads.

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QTransform>
#include <QVector>
#include <QWidget>

namespace digitlab::app {

class CanvasWidget : public QWidget {
  Q_OBJECT

 public:
  explicit CanvasWidget(QWidget* parent = nullptr);

  /// True when nothing is drawn.
  bool isEmpty() const { return strokes_.isEmpty(); }
  /// Number of strokes drawn.
  int strokeCount() const { return strokes_.size(); }
  /// Width of new strokes, in logical pixels.
  int strokeWidth() const { return strokeWidth_; }
  /// What is drawn, as shown, at the widget's logical size: 8-bit grayscale, white ink on black.
  QImage image() const;
  /// The words shown on the empty canvas ("Draw a digit here"; none at first).
  QString placeholderText() const { return placeholder_; }
  void setPlaceholderText(const QString& text);

  QSize sizeHint() const override { return {360, 360}; }
  QSize minimumSizeHint() const override { return {200, 200}; }

 public Q_SLOTS:
  /// Sets the width of the strokes drawn from now on (clamped to 4..60).
  void setStrokeWidth(int width);
  /// Removes every stroke.
  void clear();
  /// Removes the last stroke.
  void undoStroke();

 Q_SIGNALS:
  /// The drawing changed: a stroke grew, ended, or was removed.
  void changed();
  /// A stroke was finished (mouse, pen or finger lifted).
  void strokeFinished();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void focusInEvent(QFocusEvent* event) override;
  void focusOutEvent(QFocusEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  struct Stroke {
    QVector<QPointF> points;
    qreal width = 0;
  };
  void paintStrokes(QPainter& painter) const;
  /// Fits the page and every stroke into the widget: recomputes view_.
  void fitView();
  /// The strokes' extent, pen width included, in drawing coordinates.
  QRectF inkBounds() const;
  /// A point of the widget in drawing coordinates.
  QPointF toDrawing(const QPointF& widgetPoint) const;

  /// The area drawn on, in drawing coordinates: the widget's rectangle when the first stroke began.
  QRectF page_;
  /// Drawing coordinates to widget pixels: the identity until the widget's size changes under a drawing.
  QTransform view_;
  QVector<Stroke> strokes_;
  bool drawing_ = false;
  QString placeholder_;
  int strokeWidth_ = 22;
};

}  // namespace digitlab::app
