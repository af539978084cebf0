#pragma once
// Saliency heat as Qt images: the inferno colours of heatmap.h with the heat as alpha, laid over a picture with an
// opacity, and the colour bar of the legend. The app's one converter for heat, beside image_convert.h for pictures.

#include <QImage>
#include <QPixmap>

#include <vector>

class QPainter;
class QRect;

namespace digitlab::app {

/// `heat` (width * height values in [0, 1]) as a premultiplied ARGB image: each pixel in its inferno colour, as
/// opaque as it is hot, so cold areas are clear. A null image when the sizes disagree.
QImage heatToQImage(const std::vector<float>& heat, int width, int height);

/// `base` with `heat` (an image from heatToQImage(), scaled to fit) drawn over it at `opacity` (0..1).
QImage composeHeat(const QImage& base, const QImage& heat, double opacity);

/// Paints `heat` stretched over `where` at `opacity`, over the picture dimmed in proportion.
void paintHeat(QPainter& painter, const QRect& where, const QImage& heat, double opacity);

/// The legend's colour bar: cold (left) to hot (right), `width` x `height`.
QPixmap heatLegend(int width, int height);

}  // namespace digitlab::app
