#include "image/paper_marks.h"

#include "image/preprocess_constants.h"
#include "image/statistics.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>

namespace digitlab::detail {

namespace {

// Pieces lighter than this share of the heaviest stroke's ink are specks.
constexpr float kFragmentShare = 0.02f;
// Paper edges (bands hugging a border along half of it) and ruled lines (flat, from a side border across most of
// the image and well past the writing).
constexpr float kBorderBand = 0.15f;
constexpr float kEdgeSpan = 0.5f;
// A desk or paper edge merged with other ink: it covers this share of a side at least this long (share of the
// image's longer side), and its band along the side holds this share of its ink.
constexpr float kEdgeContact = 0.8f;
constexpr float kEdgeSideShare = 0.5f;
constexpr float kEdgeBandShare = 0.6f;
// Ruled rows: ink in both end zones (this share of the width) covering this share of the row, at most this many
// rows or this share of the stroke width thick.
constexpr float kRuledRowEnds = 0.03f;
constexpr float kLineLevel = 0.2f;  // ruled lines are often fainter than the writing: half the stroke level
constexpr float kRuledRowCover = 0.7f;
constexpr int kMinLineRows = 2;
constexpr float kLineStrokeShare = 0.75f;
constexpr float kLineThickness = 0.1f;
constexpr float kRuledLineSpan = 0.6f;
constexpr float kRuledLineOverhang = 0.2f;

bool is_paper_edge(const Component& c, int w, int h) {
  const bool spans_width = c.width() >= kEdgeSpan * w;
  const bool spans_height = c.height() >= kEdgeSpan * h;
  const bool flat = c.height() <= kBorderBand * h;
  const bool narrow = c.width() <= kBorderBand * w;
  const bool along_top = c.y0 == 0 && c.y1 < kBorderBand * h;
  const bool along_bottom = c.y1 == h - 1 && c.y0 > (1.0f - kBorderBand) * h;
  const bool along_left = c.x0 == 0 && c.x1 < kBorderBand * w;
  const bool along_right = c.x1 == w - 1 && c.x0 > (1.0f - kBorderBand) * w;
  return ((along_top || along_bottom) && spans_width && flat) ||
         ((along_left || along_right) && spans_height && narrow);
}

// `writing_x0`..`writing_x1` is the horizontal extent of the other writing (empty when x1 < x0); the top bar of
// a 5 or a 7 does not reach well past it, a ruled line does.
bool is_ruled_line(const Component& c, int w, int h, int writing_x0, int writing_x1) {
  const bool from_side = c.x0 == 0 || c.x1 == w - 1;
  const bool flat = c.height() <= kLineThickness * h;
  if (!from_side || !flat || c.width() < kRuledLineSpan * w) return false;
  if (writing_x1 < writing_x0) return true;
  const int beyond = std::max(0, writing_x0 - c.x0) + std::max(0, c.x1 - writing_x1);
  return beyond >= kRuledLineOverhang * (writing_x1 - writing_x0 + 1);
}

}  // namespace

// Paper edges and a desk seen around the sheet: a component covering most of a long side of the image along the
// border. Its bands along such sides (each as deep as its median run in from the border, plus a margin for the
// blurred lighting estimate) are erased from `residue` when they hold most of the component's ink, so a digit
// touching the edge survives and the top bar of a 7 in a tight crop (a small part of the 7) stays. Returns
// whether anything was erased.
bool erase_paper_edges(const GrayImage& ink, const std::vector<int>& labels, const std::vector<Component>& components,
                       int blur, std::vector<float>& residue) {
  const int w = ink.width();
  const int h = ink.height();
  // Pixel at position `along` side `side` (top, bottom, left, right), `in` pixels in from it.
  const auto index = [&](int side, int along, int in) -> size_t {
    switch (side) {
      case 0:
        return static_cast<size_t>(in) * w + along;
      case 1:
        return static_cast<size_t>(h - 1 - in) * w + along;
      case 2:
        return static_cast<size_t>(along) * w + in;
      default:
        return static_cast<size_t>(along) * w + (w - 1 - in);
    }
  };
  std::vector<std::array<int, 4>> bands(components.size(), {0, 0, 0, 0});  // band depth per side, 0 for none
  bool any = false;
  for (int side = 0; side < 4; ++side) {
    const int length = side < 2 ? w : h;
    const int depth_limit = side < 2 ? h : w;
    if (length < kEdgeSideShare * std::max(w, h)) continue;
    std::vector<int> contact(components.size(), 0);
    for (int along = 0; along < length; ++along) {
      const int label = labels[index(side, along, 0)];
      if (label >= 0) ++contact[label];
    }
    for (size_t c = 0; c < components.size(); ++c) {
      if (contact[c] < kEdgeContact * length) continue;
      std::vector<int> depths;
      for (int along = 0; along < length; ++along) {
        int depth = 0;
        while (depth < depth_limit && labels[index(side, along, depth)] == static_cast<int>(c)) ++depth;
        if (depth > 0) depths.push_back(depth);
      }
      std::nth_element(depths.begin(), depths.begin() + depths.size() / 2, depths.end());
      const int median = depths[depths.size() / 2];
      bands[c][side] = std::min(depth_limit, median + 1 + median / 4 + blur);
      any = true;
    }
  }
  if (!any) return false;
  bool erased = false;
  std::vector<uint8_t> in_band(ink.size());
  for (size_t c = 0; c < components.size(); ++c) {
    if (bands[c] == std::array<int, 4>{0, 0, 0, 0}) continue;
    std::fill(in_band.begin(), in_band.end(), 0);
    for (int side = 0; side < 4; ++side) {
      const int length = side < 2 ? w : h;
      for (int along = 0; along < length; ++along) {
        for (int in = 0; in < bands[c][side]; ++in) in_band[index(side, along, in)] = 1;
      }
    }
    double band_mass = 0.0;
    for (size_t i = 0; i < in_band.size(); ++i) {
      if (in_band[i] && labels[i] == static_cast<int>(c)) band_mass += ink.data()[i];
    }
    if (band_mass < kEdgeBandShare * components[c].mass) continue;
    for (size_t i = 0; i < in_band.size(); ++i) {
      if (in_band[i]) residue[i] = 0.0f;
    }
    erased = true;
  }
  return erased;
}

// Ruled lines crossing the writing: runs of rows whose ink (even faint) spans the image from border to border and
// covers most of it, thinner than the other strokes. They are erased from `residue`; where a stroke crosses them
// (ink right above and below), the gap is bridged with the fainter of the two. Returns whether anything was erased.
bool erase_ruled_rows(const GrayImage& ink, std::vector<float>& residue) {
  const int w = ink.width();
  const int h = ink.height();
  const int end_zone = std::max(1, static_cast<int>(kRuledRowEnds * w));
  std::vector<uint8_t> ruled(static_cast<size_t>(h), 0);
  bool any = false;
  for (int y = 0; y < h; ++y) {
    const float* row = ink.data() + static_cast<size_t>(y) * w;
    int count = 0;
    bool left = false, right = false;
    for (int x = 0; x < w; ++x) {
      if (row[x] < kLineLevel) continue;
      ++count;
      left = left || x < end_zone;
      right = right || x >= w - end_zone;
    }
    ruled[y] = left && right && count >= kRuledRowCover * w;
    any = any || ruled[y];
  }
  if (!any) return false;
  // Stroke width of the other rows' ink, to tell thin lines from the bar of a 7.
  GrayImage others = ink;
  for (int y = 0; y < h; ++y) {
    if (ruled[y]) std::fill_n(others.data() + static_cast<size_t>(y) * w, w, 0.0f);
  }
  const float stroke = stroke_width(others, kMaskLevel);
  bool erased = false;
  for (int y0 = 0; y0 < h;) {
    if (!ruled[y0]) {
      ++y0;
      continue;
    }
    int y1 = y0;
    while (y1 + 1 < h && ruled[y1 + 1]) ++y1;
    const int thickness = y1 - y0 + 1;
    if (thickness <= std::max<float>(kMinLineRows, kLineStrokeShare * stroke)) {
      const int top = std::max(0, y0 - 1);  // the line's soft edges go too
      const int bottom = std::min(h - 1, y1 + 1);
      for (int x = 0; x < w; ++x) {
        const bool crossed =
            top > 0 && bottom < h - 1 && ink.at(x, top - 1) >= kMaskLevel && ink.at(x, bottom + 1) >= kMaskLevel;
        const float bridge = crossed ? std::min(residue[static_cast<size_t>(top - 1) * w + x],
                                                residue[static_cast<size_t>(bottom + 1) * w + x])
                                     : 0.0f;
        for (int y = top; y <= bottom; ++y) residue[static_cast<size_t>(y) * w + x] = bridge;
      }
      erased = true;
    }
    y0 = y1 + 1;
  }
  return erased;
}

// The components that may be writing: not paper edges or ruled lines (unless nothing else is left), and not
// specks far lighter than the heaviest stroke.
std::vector<int> writing_candidates(const std::vector<Component>& components, int w, int h) {
  std::vector<int> kept;
  for (size_t i = 0; i < components.size(); ++i) {
    if (!is_paper_edge(components[i], w, h)) kept.push_back(static_cast<int>(i));
  }
  double heaviest = 0.0;
  for (int i : kept) heaviest = std::max(heaviest, components[i].mass);
  std::vector<int> unruled;
  for (int i : kept) {
    int x0 = w, x1 = -1;
    for (int j : kept) {
      if (j == i || components[j].mass < kMajorShare * heaviest) continue;
      x0 = std::min(x0, components[j].x0);
      x1 = std::max(x1, components[j].x1);
    }
    if (!is_ruled_line(components[i], w, h, x0, x1)) unruled.push_back(i);
  }
  if (unruled.empty()) {
    unruled.resize(components.size());
    std::iota(unruled.begin(), unruled.end(), 0);
  }
  heaviest = 0.0;
  for (int i : unruled) heaviest = std::max(heaviest, components[i].mass);
  std::vector<int> candidates;
  for (int i : unruled) {
    if (components[i].mass >= kFragmentShare * heaviest) candidates.push_back(i);
  }
  return candidates;
}

}  // namespace digitlab::detail
