#pragma once
// The drawing canvas: white, antialiased, round-capped ink on black, drawn with a mouse, a pen or a finger
// (Qt turns pen and touch input into mouse events for widgets that do not take them themselves).

#include <QImage>
#include <QPointF>
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
  /// What is drawn, at the widget's logical size: 8-bit grayscale, white ink on black.
  QImage image() const;

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
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  struct Stroke {
    QVector<QPointF> points;
    qreal width = 0;
  };
  void paintStrokes(QPainter& painter) const;

  QVector<Stroke> strokes_;
  bool drawing_ = false;
  int strokeWidth_ = 22;
};

}  // namespace digitlab::app
