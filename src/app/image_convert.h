#pragma once
// The one place where images cross between Qt and the core: QImage <-> digitlab::GrayImage.

#include <digitlab/gray_image.h>

#include <QImage>
#include <QString>

#include <vector>

namespace digitlab::app {

/// The luminance of `image` as the core sees it. An image with transparency goes through the core's decoder
/// (encoded as PNG in memory), so pasted and dropped pictures are composited exactly like files; opaque images
/// are converted directly with the core's luminance weights. Throws std::runtime_error naming `name` when the
/// image is null or the core rejects it.
GrayImage toGrayImage(const QImage& image, const QString& name);

/// An 8-bit grayscale QImage of `image` (values clamped to [0, 1]); a null QImage for an empty one.
QImage toQImage(const GrayImage& image);

/// The digits' 28x28 inputs of a number side by side, 4 pixels apart on a dark ground: grayscale while every input
/// is, in colour once one has a map over it. A null QImage for none.
QImage inputStrip(const std::vector<QImage>& inputs);

}  // namespace digitlab::app
