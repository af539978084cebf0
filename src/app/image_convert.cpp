#include "image_convert.h"

#include <digitlab/image_loader.h>

#include <QBuffer>
#include <QByteArray>
#include <QPainter>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace digitlab::app {

GrayImage toGrayImage(const QImage& image, const QString& name) {
  if (image.isNull()) throw std::runtime_error(name.toStdString() + ": no image data");
  if (image.hasAlphaChannel()) {
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) throw std::runtime_error(name.toStdString() + ": cannot encode the image");
    return decode_image(reinterpret_cast<const uint8_t*>(png.constData()), static_cast<size_t>(png.size()),
                        name.toStdString());
  }
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  GrayImage gray(rgb.width(), rgb.height());
  for (int y = 0; y < rgb.height(); ++y) {
    const auto* row = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    for (int x = 0; x < rgb.width(); ++x) {
      gray.at(x, y) = luminance(qRed(row[x]) / 255.0f, qGreen(row[x]) / 255.0f, qBlue(row[x]) / 255.0f);
    }
  }
  return gray;
}

QImage toQImage(const GrayImage& image) {
  if (image.empty()) return {};
  const std::vector<uint8_t> bytes = image.to_u8();
  QImage out(image.width(), image.height(), QImage::Format_Grayscale8);
  for (int y = 0; y < image.height(); ++y) {
    std::memcpy(out.scanLine(y), bytes.data() + static_cast<size_t>(y) * image.width(),
                static_cast<size_t>(image.width()));
  }
  return out;
}

QImage inputStrip(const std::vector<QImage>& inputs) {
  constexpr int kGap = 4;
  if (inputs.empty()) return {};
  const int side = inputs.front().height();
  const int n = static_cast<int>(inputs.size());
  const bool gray = std::all_of(inputs.begin(), inputs.end(), [](const QImage& i) { return i.isGrayscale(); });
  QImage strip(n * side + (n - 1) * kGap, side, gray ? QImage::Format_Grayscale8 : QImage::Format_RGB32);
  strip.fill(QColor(40, 44, 52));
  QPainter painter(&strip);
  for (int i = 0; i < n; ++i) painter.drawImage(i * (side + kGap), 0, inputs[static_cast<size_t>(i)]);
  return strip;
}

}  // namespace digitlab::app
