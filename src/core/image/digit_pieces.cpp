#include "image/digit_pieces.h"

#include "image/rendering.h"

#include <algorithm>
#include <cstdint>

namespace digitlab::detail {

namespace {

// Sizes in digit heights. A stroke wider than kCutWidth may be two or more touching digits; it is cut at the
// thinnest columns, at least kCutMargin from its ends and kCutSpacing apart. A thin "1" glued to its neighbour
// makes a stroke of only 0.6 to 0.8 digit heights; since the network learnt to doubt such pairs
// (TrainConfig::non_digits), offering their cut costs no single digit (tests/test_number_reader.cpp).
constexpr float kCutWidth = 0.6f;
constexpr float kCutMargin = 0.1f;
constexpr float kCutSpacing = 0.2f;
constexpr float kValleyDepth = 0.8f;  // a cut's ink, as a share of the thickest column on either side of it
// A cut path strays at most kCutReach from its middle column; each column it moves sideways costs kCutBend (in
// pixels of ink crossed), so it runs straight unless bending saves ink.
constexpr float kCutReach = 0.2f;
constexpr float kCutBend = 0.05f;
// A speck (smaller than kSpeck both ways) joins the piece it lies on (grown by kSpeckReach), or is dropped.
constexpr float kSpeck = 0.25f;
constexpr float kSpeckReach = 0.15f;
// One digit: at most this many pieces, this wide, with no empty gap wider than kMaxGap inside. A candidate the
// network scores may be wider: some people write wide digits (the "2" of realworld-digits dfak0-mydigits_2, its base
// drawn long, is 1.8 digit heights wide), and the network's confidence and the width penalty decide. Grouping by
// overlap alone, without a network, keeps to kMaxDigitWidth.
constexpr int kMaxPieces = 5;
constexpr float kMaxDigitWidth = 1.5f;
constexpr float kMaxCandidateWidth = 2.0f;
constexpr float kMaxGap = 0.25f;
// Without a model: pieces overlapping horizontally by this share of the narrower are one digit.
constexpr float kMergeOverlap = 0.3f;

// Calls f(x, y) for every pixel of slice `s` (working pixels of `a`).
template <typename F>
void for_each_pixel(const InkAnalysis& a, const Slice& s, F f) {
  const Component& c = a.components[s.component];
  const int w = a.work.width();
  for (int y = c.y0; y <= c.y1; ++y) {
    const int from = s.from.empty() ? s.x0 : std::max(s.x0, s.from[y - c.y0]);
    const int to = s.to.empty() ? s.x1 + 1 : std::min(s.x1 + 1, s.to[y - c.y0]);
    for (int x = from; x < to; ++x) {
      if (a.labels[static_cast<size_t>(y) * w + x] == s.component) f(x, y);
    }
  }
}

// The box of slice `s`'s pixels.
Component slice_box(const InkAnalysis& a, const Slice& s) {
  const Component& c = a.components[s.component];
  Component box;
  box.x0 = s.x1;
  box.x1 = s.x0;
  box.y0 = c.y1;
  box.y1 = c.y0;
  for_each_pixel(a, s, [&](int x, int y) {
    box.x0 = std::min(box.x0, x);
    box.x1 = std::max(box.x1, x);
    box.y0 = std::min(box.y0, y);
    box.y1 = std::max(box.y1, y);
    box.area += 1;
    box.mass += a.ink.at(x, y);
  });
  return box;
}

// A cut through stroke `c`: on each of its rows, the first column right of the cut; and how much ink it crosses.
struct CutPath {
  std::vector<int> at;
  float cost = 0.0f;
};

bool is_stroke(const InkAnalysis& a, int c, int x, int y) {
  return x >= 0 && x < a.work.width() && a.labels[static_cast<size_t>(y) * a.work.width() + x] == c;
}

// One half of a cut path: from column `mid` of the stroke's middle row down (dir 1) or up (dir -1) to its edge,
// within `reach` columns of `mid`, crossing the least ink (moving sideways costs a little). Fills path.at.
float cut_half(const InkAnalysis& a, int c, int mid, int reach, int dir, CutPath& path) {
  const Component& s = a.components[c];
  const int centre = (s.y0 + s.y1) / 2;
  const int rows = (dir > 0 ? s.y1 - centre : centre - s.y0) + 1;
  const int span = 2 * reach + 1;
  constexpr float kFar = 1e9f;
  std::vector<float> cost(static_cast<size_t>(rows) * span, kFar);
  std::vector<int8_t> step(cost.size(), 0);
  cost[reach] = is_stroke(a, c, mid, centre);
  for (int r = 1; r < rows; ++r) {
    const int y = centre + dir * r;
    for (int j = 0; j < span; ++j) {
      float best = kFar;
      for (int d = -1; d <= 1; ++d) {
        if (j + d < 0 || j + d >= span) continue;
        const float c0 = cost[static_cast<size_t>(r - 1) * span + j + d] + kCutBend * std::abs(d);
        if (c0 < best) best = c0, step[static_cast<size_t>(r) * span + j] = static_cast<int8_t>(d);
      }
      cost[static_cast<size_t>(r) * span + j] = best + is_stroke(a, c, mid - reach + j, y);
    }
  }
  const float* last = &cost[static_cast<size_t>(rows - 1) * span];
  int j = static_cast<int>(std::min_element(last, last + span) - last);
  const float total = last[j];
  for (int r = rows - 1; r >= 0; --r) {
    path.at[centre + dir * r - s.y0] = std::clamp(mid - reach + j, s.x0, s.x1 + 1);
    j += step[static_cast<size_t>(r) * span + j];
  }
  return total;
}

// The path through column `mid` of stroke `c`'s middle row, within `reach` columns of it, that crosses least ink.
CutPath cut_path(const InkAnalysis& a, int c, int mid, int reach) {
  CutPath path;
  path.at.assign(static_cast<size_t>(a.components[c].height()), mid);
  const Component& s = a.components[c];
  path.cost = cut_half(a, c, mid, reach, 1, path) + cut_half(a, c, mid, reach, -1, path) -
              static_cast<float>(is_stroke(a, c, mid, (s.y0 + s.y1) / 2));
  return path;
}

// `values`' local minima, a flat bottom counting once at its middle.
std::vector<int> local_minima(const std::vector<float>& values, int first, int last) {
  std::vector<int> minima;
  for (int i = first; i <= last;) {
    int j = i;
    while (j < last && values[j + 1] == values[i]) ++j;
    const bool left = i == first || values[i - 1] > values[i];
    const bool right = j == last || values[j + 1] > values[i];
    if (left && right) minima.push_back((i + j) / 2);
    i = j + 1;
  }
  return minima;
}

// The ink of stroke `c` per column, summed over three neighbouring columns.
std::vector<float> column_ink(const InkAnalysis& a, int c) {
  const Component& s = a.components[c];
  const int n = s.width();
  std::vector<float> profile(static_cast<size_t>(n), 0.0f);
  for (int y = s.y0; y <= s.y1; ++y) {
    for (int x = s.x0; x <= s.x1; ++x) profile[x - s.x0] += is_stroke(a, c, x, y);
  }
  std::vector<float> smooth(profile.size());
  for (int i = 0; i < n; ++i) smooth[i] = profile[std::max(0, i - 1)] + profile[i] + profile[std::min(n - 1, i + 1)];
  return smooth;
}

// Where stroke `c` may be cut between two digits, left to right: the paths crossing least ink (local minima over
// their middle columns, summed over three neighbouring paths) that are well below the ink on both sides of them,
// kCutSpacing apart. A path never crosses the one before it.
std::vector<CutPath> cut_paths(const InkAnalysis& a, int c, int h) {
  const Component& s = a.components[c];
  const int n = s.width();
  const std::vector<float> smooth = column_ink(a, c);
  std::vector<float> left_peak(smooth.size()), right_peak(smooth.size());
  for (int i = 0; i < n; ++i) left_peak[i] = std::max(smooth[i], i > 0 ? left_peak[i - 1] : 0.0f);
  for (int i = n - 1; i >= 0; --i) right_peak[i] = std::max(smooth[i], i + 1 < n ? right_peak[i + 1] : 0.0f);
  const int margin = std::max(1, static_cast<int>(kCutMargin * h));
  if (n - margin <= margin) return {};
  const int reach = std::max(1, static_cast<int>(kCutReach * h));
  std::vector<CutPath> paths(static_cast<size_t>(n));
  std::vector<float> cost(static_cast<size_t>(n), 0.0f);
  for (int i = margin - 1; i <= n - margin; ++i) {
    paths[i] = cut_path(a, c, s.x0 + i, reach);
    cost[i] = paths[i].cost;
  }
  std::vector<float> summed(cost.size(), 0.0f);
  for (int i = margin; i < n - margin; ++i) summed[i] = cost[i - 1] + cost[i] + cost[i + 1];
  std::vector<int> minima;
  for (int i : local_minima(summed, margin, n - margin - 1)) {
    if (summed[i] <= kValleyDepth * std::min(left_peak[i], right_peak[i])) minima.push_back(i);
  }
  std::stable_sort(minima.begin(), minima.end(), [&](int l, int r) { return summed[l] < summed[r]; });
  const int spacing = std::max(2, static_cast<int>(kCutSpacing * h));
  std::vector<int> cuts;
  for (int i : minima) {
    const bool apart = std::all_of(cuts.begin(), cuts.end(), [&](int k) { return std::abs(k - i) >= spacing; });
    if (apart) cuts.push_back(i);
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<CutPath> chosen;
  for (int i : cuts) {
    chosen.push_back(std::move(paths[i]));
    if (chosen.size() < 2) continue;
    auto& at = chosen.back().at;
    const auto& before = chosen[chosen.size() - 2].at;
    for (size_t y = 0; y < at.size(); ++y) at[y] = std::max(at[y], before[y]);
  }
  return chosen;
}

// Stroke `c` as one piece, or as slices between its cut paths when it is wider than a digit.
void add_stroke_pieces(const InkAnalysis& a, int c, int h, std::vector<Piece>& pieces) {
  const Component& s = a.components[c];
  if (s.width() <= kCutWidth * h) {
    pieces.push_back({{{c, s.x0, s.x1, {}, {}}}, s});
    return;
  }
  std::vector<int> from(static_cast<size_t>(s.height()), s.x0);
  std::vector<CutPath> cuts = cut_paths(a, c, h);
  cuts.push_back({std::vector<int>(static_cast<size_t>(s.height()), s.x1 + 1), 0.0f});
  for (CutPath& cut : cuts) {
    Slice slice{c, *std::min_element(from.begin(), from.end()), *std::max_element(cut.at.begin(), cut.at.end()) - 1,
                from, cut.at};
    const Component box = slice_box(a, slice);
    if (box.area > 0) pieces.push_back({{std::move(slice)}, box});
    from = std::move(cut.at);
  }
}

bool is_speck(const Component& c, int h) { return c.width() < kSpeck * h && c.height() < kSpeck * h; }

int centre_x(const Component& c) { return c.x0 + c.x1; }

}  // namespace

std::vector<Piece> cut_pieces(const NumberLine& line) {
  const InkAnalysis& a = line.look;
  const int h = line.digit_height;
  std::vector<Piece> pieces;
  std::vector<int> specks;
  for (int c : line.strokes) {
    if (is_speck(a.components[c], h)) {
      specks.push_back(c);
    } else {
      add_stroke_pieces(a, c, h, pieces);
    }
  }
  const int reach = static_cast<int>(kSpeckReach * h);
  for (int c : specks) {
    const Component& s = a.components[c];
    const int cx = (s.x0 + s.x1) / 2, cy = (s.y0 + s.y1) / 2;
    for (Piece& p : pieces) {
      if (cx < p.box.x0 - reach || cx > p.box.x1 + reach || cy < p.box.y0 - reach || cy > p.box.y1 + reach) continue;
      p.slices.push_back({c, s.x0, s.x1, {}, {}});
      p.box = merge_boxes(p.box, s);
      break;
    }
  }
  std::stable_sort(pieces.begin(), pieces.end(),
                   [](const Piece& l, const Piece& r) { return centre_x(l.box) < centre_x(r.box); });
  return pieces;
}

Component pieces_box(const std::vector<Piece>& pieces, int first, int last) {
  Component box = pieces[first].box;
  for (int i = first + 1; i <= last; ++i) box = merge_boxes(box, pieces[i].box);
  return box;
}

bool may_join(const std::vector<Piece>& pieces, int first, int last, int digit_height, Judge judge) {
  if (last - first + 1 > kMaxPieces) return false;
  const float widest = judge == Judge::kNetwork ? kMaxCandidateWidth : kMaxDigitWidth;
  if (last > first && pieces_box(pieces, first, last).width() > widest * digit_height) return false;
  std::vector<std::pair<int, int>> spans;
  for (int i = first; i <= last; ++i) spans.emplace_back(pieces[i].box.x0, pieces[i].box.x1);
  std::sort(spans.begin(), spans.end());
  int end = spans.front().second;
  for (const auto& [x0, x1] : spans) {
    if (x0 - end - 1 > kMaxGap * digit_height) return false;
    end = std::max(end, x1);
  }
  return true;
}

std::vector<int> group_by_overlap(const std::vector<Piece>& pieces, int digit_height) {
  std::vector<int> starts;
  for (int i = 0; i < static_cast<int>(pieces.size()); ++i) {
    if (!starts.empty()) {
      const Component group = pieces_box(pieces, starts.back(), i - 1);
      const Component& p = pieces[i].box;
      const int overlap = std::min(p.x1, group.x1) - std::max(p.x0, group.x0) + 1;
      const bool overlapping = overlap >= kMergeOverlap * std::min(p.width(), group.width());
      const bool same_stroke = pieces[i].slices.front().component == pieces[i - 1].slices.front().component;
      if (same_stroke || (overlapping && may_join(pieces, starts.back(), i, digit_height, Judge::kOverlap))) continue;
    }
    starts.push_back(i);
  }
  starts.push_back(static_cast<int>(pieces.size()));
  return starts;
}

PreprocessResult render_pieces(const NumberLine& line, const std::vector<Piece>& pieces, int first, int last,
                               const PreprocessOptions& options) {
  const InkAnalysis& a = line.look;
  const int w = a.work.width();
  const Component bounds = pieces_box(pieces, first, last);
  // The pieces' pixels in their box grown by one: the gate for their soft fringe.
  const int gx0 = std::max(0, bounds.x0 - 1), gy0 = std::max(0, bounds.y0 - 1);
  const int gx1 = std::min(w - 1, bounds.x1 + 1), gy1 = std::min(a.work.height() - 1, bounds.y1 + 1);
  GrayImage chosen(gx1 - gx0 + 1, gy1 - gy0 + 1);
  for (int i = first; i <= last; ++i) {
    for (const Slice& s : pieces[i].slices)
      for_each_pixel(a, s, [&](int x, int y) { chosen.at(x - gx0, y - gy0) = 1.0f; });
  }
  Crop crop = crop_gated(a, chosen, gx0, gy0);
  PreprocessResult r;
  if (crop.ink.empty()) {
    r.reason = "no digit found";
    return r;
  }
  r.found = true;
  InputTransform in_crop;
  r.input28 = render_input(crop.ink, options, &in_crop);
  r.box = input_box(a, crop.box);
  r.transform = input_transform(a, crop.box, in_crop);
  r.cropped = std::move(crop.ink);
  return r;
}

void add_overview(const NumberLine& line, const std::vector<Piece>& pieces, int first, int last, PreprocessResult& r) {
  const InkAnalysis& a = line.look;
  const InkAnalysis& o = line.overview;
  r.grayscale = o.work;
  r.ink_mask = GrayImage(o.work.width(), o.work.height());
  const auto mark = [&](int x, int y) {
    const int ox = (a.region.x + x * a.factor + a.factor / 2 - o.region.x) / o.factor;
    const int oy = (a.region.y + y * a.factor + a.factor / 2 - o.region.y) / o.factor;
    if (ox >= 0 && oy >= 0 && ox < r.ink_mask.width() && oy < r.ink_mask.height()) r.ink_mask.at(ox, oy) = 1.0f;
  };
  for (int i = first; i <= last; ++i) {
    for (const Slice& s : pieces[i].slices) for_each_pixel(a, s, mark);
  }
}

std::vector<PreprocessResult> digits_by_overlap(const GrayImage& image, const PreprocessOptions& options) {
  std::vector<PreprocessResult> digits;
  const NumberLine line = find_number_line(image, options);
  if (line.strokes.empty()) return digits;
  const std::vector<Piece> pieces = cut_pieces(line);
  const std::vector<int> starts = group_by_overlap(pieces, line.digit_height);
  for (size_t g = 0; g + 1 < starts.size(); ++g) {
    PreprocessResult r = render_pieces(line, pieces, starts[g], starts[g + 1] - 1, options);
    if (!r.found) continue;
    add_overview(line, pieces, starts[g], starts[g + 1] - 1, r);
    digits.push_back(std::move(r));
  }
  return digits;
}

}  // namespace digitlab::detail
