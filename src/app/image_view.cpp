#include "image_view.h"

#include <QPainter>

#include <algorithm>

namespace digitlab::app {

ImageView::ImageView(const QString& caption, bool pixelated, QWidget* parent)
    : QWidget(parent), caption_(caption), pixelated_(pixelated) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage& image) {
  image_ = image;
  update();
}

void ImageView::setCaption(const QString& caption) {
  caption_ = caption;
  update();
}

void ImageView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const int captionHeight = fontMetrics().height() + 4;
  painter.setPen(palette().color(QPalette::WindowText));
  painter.drawText(QRect(0, 0, width(), captionHeight), Qt::AlignHCenter | Qt::AlignTop, caption_);
  const QRect frame = rect().adjusted(2, captionHeight, -2, -2);
  painter.fillRect(frame, QColor(24, 28, 34));
  if (image_.isNull() || frame.width() <= 0 || frame.height() <= 0) return;
  QSize target = image_.size().scaled(frame.size(), Qt::KeepAspectRatio);
  if (pixelated_ && target.width() >= image_.width()) {
    // Whole-number enlargement keeps every source pixel the same size on screen.
    const int factor = std::max(1, target.width() / image_.width());
    target = image_.size() * factor;
  }
  const QRect where(frame.x() + (frame.width() - target.width()) / 2,
                    frame.y() + (frame.height() - target.height()) / 2, target.width(), target.height());
  painter.setRenderHint(QPainter::SmoothPixmapTransform, !pixelated_);
  painter.drawImage(where, image_);
  painter.setPen(QColor(70, 78, 90));
  painter.drawRect(where.adjusted(0, 0, -1, -1));
}

}  // namespace digitlab::app
