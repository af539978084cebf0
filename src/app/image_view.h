#pragma once
// Shows one image scaled to fit, keeping its aspect ratio, under a caption; tiny images such as the 28x28
// network input are enlarged with visible pixels.

#include <QImage>
#include <QWidget>

class QLabel;

namespace digitlab::app {

class ImageView : public QWidget {
  Q_OBJECT

 public:
  /// `pixelated`: enlarge without smoothing, so each pixel shows as a square.
  explicit ImageView(const QString& caption, bool pixelated = false, QWidget* parent = nullptr);

  /// Shows `image` (a null image shows an empty frame).
  void setImage(const QImage& image);
  /// The image shown.
  const QImage& image() const { return image_; }
  /// Changes the caption.
  void setCaption(const QString& caption);
  /// The caption shown over the image.
  const QString& caption() const { return caption_; }

  QSize sizeHint() const override { return {160, 180}; }
  QSize minimumSizeHint() const override { return {84, 100}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage image_;
  QString caption_;
  bool pixelated_;
};

}  // namespace digitlab::app
