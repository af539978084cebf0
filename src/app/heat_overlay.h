#pragma once
// A saliency map laid over another widget (the drawing canvas): it covers its parent, lets every mouse event
// through to it, and paints the heat (heat_image.h) stretched to the parent's size at an opacity.

#include <QImage>
#include <QWidget>

namespace digitlab::app {

class HeatOverlay : public QWidget {
  Q_OBJECT

 public:
  /// Covers `parent`, following its size.
  explicit HeatOverlay(QWidget* parent);

  /// The heat shown (a null image shows nothing).
  void setHeat(const QImage& heat);
  const QImage& heat() const { return heat_; }
  /// How opaque the hottest areas are, 0..1.
  void setOpacity(double opacity);
  double opacity() const { return opacity_; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage heat_;
  double opacity_ = 0.6;
};

}  // namespace digitlab::app
