#include "heat_image.h"

#include <digitlab/heatmap.h>

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace digitlab::app {

QImage heatToQImage(const std::vector<float>& heat, int width, int height) {
  if (width <= 0 || height <= 0 || heat.size() != static_cast<size_t>(width) * static_cast<size_t>(height)) return {};
  QImage image(width, height, QImage::Format_ARGB32_Premultiplied);
  for (int y = 0; y < height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < width; ++x) {
      const float t = std::clamp(heat[static_cast<size_t>(y) * width + x], 0.0f, 1.0f);
      const auto c = inferno(t);
      // Weak evidence still shows faintly: alpha grows with the square root of the heat.
      line[x] = qPremultiply(qRgba(c[0], c[1], c[2], static_cast<int>(std::sqrt(t) * 255.0f + 0.5f)));
    }
  }
  return image;
}

QImage composeHeat(const QImage& base, const QImage& heat, double opacity) {
  QImage out = base.convertToFormat(QImage::Format_RGB32);
  if (heat.isNull() || out.isNull()) return out;
  QPainter painter(&out);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, heat.width() < out.width());
  paintHeat(painter, out.rect(), heat, opacity);
  return out;
}

void paintHeat(QPainter& painter, const QRect& where, const QImage& heat, double opacity) {
  const double o = std::clamp(opacity, 0.0, 1.0);
  // The picture is dimmed first, so that the pale yellow of the hottest areas stands out on white ink.
  painter.fillRect(where, QColor(0, 0, 0, static_cast<int>(120 * o)));
  painter.setOpacity(o);
  painter.drawImage(where, heat);
  painter.setOpacity(1.0);
}

QPixmap heatLegend(int width, int height) {
  QImage bar(width, height, QImage::Format_RGB32);
  for (int x = 0; x < width; ++x) {
    const auto c = inferno(width > 1 ? static_cast<float>(x) / static_cast<float>(width - 1) : 1.0f);
    for (int y = 0; y < height; ++y) bar.setPixel(x, y, qRgb(c[0], c[1], c[2]));
  }
  return QPixmap::fromImage(bar);
}

}  // namespace digitlab::app
