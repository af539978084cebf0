#include "image/stroke_selection.h"

#include "image/preprocess_constants.h"

#include <algorithm>
#include <utility>

namespace digitlab::detail {

namespace {

// A stroke of real weight within this share of the digit's longer side is part of it; lighter pieces (a broken pen
// line) count when within a smaller share of it or inside the digit's box.
constexpr float kClusterGap = 0.25f;      // how near a stroke must be, as a share of the digit's longer side
constexpr float kFragmentGap = 0.1f;      // how near a lighter piece must be to join
constexpr float kFragmentMargin = 0.05f;  // how far a lighter piece may stick out of the digit's box

bool boxes_near(const Component& a, const Component& b, int gap) {
  return a.x0 - gap <= b.x1 && b.x0 - gap <= a.x1 && a.y0 - gap <= b.y1 && b.y0 - gap <= a.y1;
}

}  // namespace

// Adds to `chosen` the lighter pieces (a broken pen line) lying within the box of the chosen strokes.
void add_fragments(const InkAnalysis& a, std::vector<int>& chosen) {
  if (chosen.empty()) return;
  Component box = a.components[chosen.front()];
  for (int i : chosen) box = merge_boxes(box, a.components[i]);
  const int margin = static_cast<int>(kFragmentMargin * box.longer());
  for (int i : a.candidates) {
    const Component& c = a.components[i];
    const bool inside =
        c.x0 >= box.x0 - margin && c.x1 <= box.x1 + margin && c.y0 >= box.y0 - margin && c.y1 <= box.y1 + margin;
    if (inside && std::find(chosen.begin(), chosen.end(), i) == chosen.end()) chosen.push_back(i);
  }
}

// The digit of single-digit mode: the heaviest stroke, grown by every stroke of real weight within a quarter of
// the digit's size of it and every lighter piece (a broken pen line) within a tenth, then by the lighter pieces
// within its box.
std::vector<int> select_digit(const InkAnalysis& a) {
  std::vector<int> chosen;
  if (a.candidates.empty()) return chosen;
  int heaviest = a.candidates.front();
  for (int i : a.candidates) {
    if (a.components[i].mass > a.components[heaviest].mass) heaviest = i;
  }
  const double major = kMajorShare * a.components[heaviest].mass;
  chosen.push_back(heaviest);
  Component box = a.components[heaviest];
  for (bool grew = true; grew;) {
    grew = false;
    const int gap = static_cast<int>(kClusterGap * box.longer());
    const int fragment_gap = static_cast<int>(kFragmentGap * box.longer()) + 1;
    for (int i : a.candidates) {
      const bool joins = a.components[i].mass >= major ? boxes_near(box, a.components[i], gap)
                                                       : boxes_near(box, a.components[i], fragment_gap);
      if (!joins || std::find(chosen.begin(), chosen.end(), i) != chosen.end()) continue;
      chosen.push_back(i);
      box = merge_boxes(box, a.components[i]);
      grew = true;
    }
  }
  add_fragments(a, chosen);
  return chosen;
}

// The strokes of a finer second look whose centres lie in `target` (working pixels of that look).
std::vector<int> select_in_box(const InkAnalysis& a, const Component& target) {
  std::vector<int> chosen;
  for (int i : a.candidates) {
    const Component& c = a.components[i];
    const int cx = (c.x0 + c.x1) / 2;
    const int cy = (c.y0 + c.y1) / 2;
    if (cx >= target.x0 && cx <= target.x1 && cy >= target.y0 && cy <= target.y1) chosen.push_back(i);
  }
  add_fragments(a, chosen);
  return chosen;
}

}  // namespace digitlab::detail
