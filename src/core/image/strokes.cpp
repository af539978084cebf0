#include "image/strokes.h"

#include "image/preprocess_constants.h"

namespace digitlab::detail {

std::vector<Component> label_components(const GrayImage& ink, std::vector<int>& labels) {
  const int w = ink.width();
  const int h = ink.height();
  labels.assign(ink.size(), -1);
  std::vector<Component> components;
  std::vector<int> stack;
  for (size_t seed = 0; seed < ink.size(); ++seed) {
    if (labels[seed] >= 0 || ink.data()[seed] < kMaskLevel) continue;
    const int id = static_cast<int>(components.size());
    Component c;
    c.x0 = c.x1 = static_cast<int>(seed % w);
    c.y0 = c.y1 = static_cast<int>(seed / w);
    labels[seed] = id;
    stack.assign(1, static_cast<int>(seed));
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int x = p % w;
      const int y = p / w;
      c.area += 1;
      c.mass += ink.data()[p];
      c.x0 = std::min(c.x0, x);
      c.x1 = std::max(c.x1, x);
      c.y0 = std::min(c.y0, y);
      c.y1 = std::max(c.y1, y);
      for (int ny = std::max(0, y - 1); ny <= std::min(h - 1, y + 1); ++ny) {
        for (int nx = std::max(0, x - 1); nx <= std::min(w - 1, x + 1); ++nx) {
          const int q = ny * w + nx;
          if (labels[q] >= 0 || ink.data()[q] < kMaskLevel) continue;
          labels[q] = id;
          stack.push_back(q);
        }
      }
    }
    components.push_back(c);
  }
  return components;
}

Component merge_boxes(const Component& a, const Component& b) {
  Component m = a;
  m.x0 = std::min(a.x0, b.x0);
  m.y0 = std::min(a.y0, b.y0);
  m.x1 = std::max(a.x1, b.x1);
  m.y1 = std::max(a.y1, b.y1);
  m.area = a.area + b.area;
  m.mass = a.mass + b.mass;
  return m;
}

}  // namespace digitlab::detail
