#pragma once
// Strokes for preprocess(): the connected pieces of ink and their boxes.

#include <digitlab/gray_image.h>

#include <algorithm>
#include <vector>

namespace digitlab::detail {

/// A stroke: one 8-connected piece of ink (label_components()), or the union of several (merge_boxes()).
struct Component {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // inclusive bounds, working pixels
  int area = 0;
  double mass = 0.0;  // summed normalised ink
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
  int longer() const { return std::max(width(), height()); }
};

/// 8-connected components of the pixels with ink >= kMaskLevel; `labels` gets each pixel's component or -1.
std::vector<Component> label_components(const GrayImage& ink, std::vector<int>& labels);

/// The union of `a` and `b`: the box around both, their areas and masses added.
Component merge_boxes(const Component& a, const Component& b);

}  // namespace digitlab::detail
