#include "image/number_line.h"

#include "image/preprocess_constants.h"

#include <algorithm>
#include <numeric>

namespace digitlab::detail {

namespace {

// The whole image is first looked at with this many working pixels on its longer side; when no line shows there,
// with kOverviewSide, so that thin pen lines in a large photo survive the averaging.
constexpr int kQuickSide = 256;
constexpr int kOverviewSide = 512;
// The line is cut at about this digit height (working pixels); a line much smaller than that in the overview is
// looked at again, its neighbourhood only, at a finer resolution.
constexpr int kCutDigitHeight = 56;
constexpr float kFineMargin = 0.6f;  // neighbourhood around the line, in digit heights
// Strokes of the same line overlap vertically by this share of the shorter one.
constexpr float kRowOverlap = 0.5f;
// Lines that are not writing, in typical stroke heights: a margin line is far taller, an underline or a crossed-out
// stretch far longer than it is tall.
constexpr float kTallLine = 2.5f;
constexpr float kLongLine = 1.6f;
constexpr float kFlatLine = 0.35f;
// A digit's height: the median of the line's strokes at least this share of the tallest (not a 5's bar or a dot).
constexpr float kDigitHeightShare = 0.5f;
// Lighter strokes join the line when their centre lies within its band (grown by this share of a digit height) and
// within this many digit heights of its ends.
constexpr float kBandGrowth = 0.15f;
constexpr float kLineReach = 1.5f;
// Strokes of writing fill at most this share of their boxes; paper taken for ink fills more.
constexpr float kMaxLineFill = 0.5f;
// A second try for faint ink (a thin pen line in a large photo) asks this share of the usual contrast.
constexpr float kFaintContrast = 0.6f;

int median(std::vector<int> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

bool is_rule(const Component& c, int typical) {
  return c.height() > kTallLine * typical ||
         (c.width() > kLongLine * typical && c.height() < kFlatLine * std::min(typical, c.width()));
}

// Strokes of real weight that are not rules: they found the rows.
std::vector<int> seed_strokes(const InkAnalysis& a) {
  double heaviest = 0.0;
  for (int i : a.candidates) heaviest = std::max(heaviest, a.components[i].mass);
  std::vector<int> seeds;
  std::vector<int> heights;
  for (int i : a.candidates) {
    if (a.components[i].mass < kMajorShare * heaviest) continue;
    seeds.push_back(i);
    heights.push_back(a.components[i].height());
  }
  const int typical = median(heights);
  std::vector<int> kept;
  for (int i : seeds) {
    if (!is_rule(a.components[i], typical)) kept.push_back(i);
  }
  return kept.empty() ? seeds : kept;
}

int find_root(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

// The seeds grouped into rows by vertical overlap (an uneven baseline chains along); the heaviest row.
std::vector<int> heaviest_row(const InkAnalysis& a, const std::vector<int>& seeds) {
  std::vector<int> parent(seeds.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t i = 0; i < seeds.size(); ++i) {
    for (size_t j = i + 1; j < seeds.size(); ++j) {
      const Component& p = a.components[seeds[i]];
      const Component& q = a.components[seeds[j]];
      const int overlap = std::min(p.y1, q.y1) - std::max(p.y0, q.y0) + 1;
      if (overlap >= kRowOverlap * std::min(p.height(), q.height())) {
        parent[find_root(parent, static_cast<int>(i))] = find_root(parent, static_cast<int>(j));
      }
    }
  }
  std::vector<double> mass(seeds.size(), 0.0);
  for (size_t i = 0; i < seeds.size(); ++i) mass[find_root(parent, static_cast<int>(i))] += a.components[seeds[i]].mass;
  const int best = static_cast<int>(std::max_element(mass.begin(), mass.end()) - mass.begin());
  std::vector<int> row;
  for (size_t i = 0; i < seeds.size(); ++i) {
    if (find_root(parent, static_cast<int>(i)) == best) row.push_back(seeds[i]);
  }
  return row;
}

struct LineStrokes {
  std::vector<int> strokes;
  int digit_height = 0;
  Component box;
};

// The line of `a`: its heaviest row of seeds, joined by the lighter strokes (a thin 1, a 5's bar, a broken pen
// line) centred in its band, less the rules.
LineStrokes select_line(const InkAnalysis& a) {
  LineStrokes line;
  if (a.candidates.empty()) return line;
  const std::vector<int> row = heaviest_row(a, seed_strokes(a));
  Component band = a.components[row.front()];
  int tallest = 0;
  for (int i : row) {
    band = merge_boxes(band, a.components[i]);
    tallest = std::max(tallest, a.components[i].height());
  }
  std::vector<int> heights;
  for (int i : row) {
    if (a.components[i].height() >= kDigitHeightShare * tallest) heights.push_back(a.components[i].height());
  }
  const int h = std::max(1, median(heights));
  const int grow = static_cast<int>(kBandGrowth * h);
  const int reach = static_cast<int>(kLineReach * h);
  for (int i : a.candidates) {
    const Component& c = a.components[i];
    const int cy = (c.y0 + c.y1) / 2;
    const bool in_band = cy >= band.y0 - grow && cy <= band.y1 + grow;
    const bool in_reach = c.x1 >= band.x0 - reach && c.x0 <= band.x1 + reach;
    if (in_band && in_reach && !is_rule(c, h)) line.strokes.push_back(i);
  }
  if (line.strokes.empty()) return line;
  std::sort(line.strokes.begin(), line.strokes.end(),
            [&](int l, int r) { return a.components[l].x0 < a.components[r].x0; });
  line.box = a.components[line.strokes.front()];
  for (int i : line.strokes) line.box = merge_boxes(line.box, a.components[i]);
  line.digit_height = h;
  return line;
}

// A second look at the line's neighbourhood, at about kCutDigitHeight pixels a digit; false when the overview is
// already fine enough or the second look finds nothing.
bool look_closer(const GrayImage& image, const InkAnalysis& overview, const LineStrokes& coarse,
                 const PreprocessOptions& options, NumberLine& line) {
  const int height_in_input = coarse.digit_height * overview.factor;
  const int factor = std::max(1, height_in_input / kCutDigitHeight);
  if (factor >= overview.factor) return false;
  const DigitBox box = input_box(overview, coarse.box);
  const int margin = static_cast<int>(kFineMargin * height_in_input);
  Region region;
  region.x = std::max(0, box.x - margin);
  region.y = std::max(0, box.y - margin);
  region.width = std::min(image.width(), box.x + box.width + margin) - region.x;
  region.height = std::min(image.height(), box.y + box.height + margin) - region.y;
  PreprocessOptions fine_options = options;
  fine_options.work_max_side = (std::max(region.width, region.height) + factor - 1) / factor;
  InkAnalysis look = analyse_ink(image, region, fine_options,
                                 overview.dark_ink ? InkPolarity::kDarkOnLight : InkPolarity::kLightOnDark);
  LineStrokes fine = select_line(look);
  if (fine.strokes.empty()) return false;
  line.look = std::move(look);
  line.fine = true;
  line.strokes = std::move(fine.strokes);
  line.digit_height = fine.digit_height;
  return true;
}

// One look at the whole image, and its line.
struct Overview {
  InkAnalysis look;
  LineStrokes line;
};

// The whole image shrunk for an overview (reading a large photo is the costly part), and by how much.
struct Shrunk {
  const GrayImage* image = nullptr;
  GrayImage small;
  int factor = 1;
};

Shrunk shrink(const GrayImage& image, int side) {
  Shrunk shrunk;
  shrunk.image = &image;
  shrunk.factor = std::max(1, (std::max(image.width(), image.height()) + side - 1) / side);
  shrunk.small = downscale_by(image, shrunk.factor);
  return shrunk;
}

Overview look_at_whole(const Shrunk& shrunk, const PreprocessOptions& options, InkPolarity polarity,
                       float contrast_share) {
  PreprocessOptions overview_options = options;
  overview_options.work_max_side = std::max(shrunk.small.width(), shrunk.small.height());
  overview_options.min_contrast = options.min_contrast * contrast_share;
  Overview o;
  o.look = analyse_ink(shrunk.small, whole(shrunk.small), overview_options, polarity);
  o.look.factor *= shrunk.factor;  // in the input's pixels
  o.look.region = whole(*shrunk.image);
  o.line = select_line(o.look);
  return o;
}

// How much of their boxes (at least half as wide as tall) the line's strokes fill: writing fills little, paper
// taken for ink much; 1 for no line.
double line_fill(const Overview& o) {
  if (o.line.strokes.empty()) return 1.0;
  double area = 0.0, boxes = 0.0;
  for (int i : o.line.strokes) {
    const Component& c = o.look.components[i];
    area += c.area;
    boxes += double(std::max(c.width(), c.height() / 2)) * c.height();  // a thin 1 fills its own box
  }
  return area / boxes;
}

bool plausible(const Overview& o) { return line_fill(o) <= kMaxLineFill; }

// A look at `shrunk` at the usual contrast with the polarity guessed (or given), then with the other one; the
// first with a plausible line, else the first.
Overview look_both_ways(const Shrunk& shrunk, const PreprocessOptions& options) {
  Overview first = look_at_whole(shrunk, options, options.polarity, 1.0f);
  if (plausible(first) || options.polarity != InkPolarity::kAuto) return first;
  const InkPolarity other = first.look.dark_ink ? InkPolarity::kLightOnDark : InkPolarity::kDarkOnLight;
  Overview second = look_at_whole(shrunk, options, other, 1.0f);
  return plausible(second) ? second : first;
}

// Looks at `shrunk` both ways round at a fainter contrast; `best` becomes the plausible line that fills least of
// its boxes, if any beats it. Returns whether `best` is plausible.
bool look_fainter(const Shrunk& shrunk, const PreprocessOptions& options, Overview& best) {
  std::vector<InkPolarity> polarities = {options.polarity};
  if (options.polarity == InkPolarity::kAuto) polarities = {InkPolarity::kDarkOnLight, InkPolarity::kLightOnDark};
  for (InkPolarity polarity : polarities) {
    Overview faint = look_at_whole(shrunk, options, polarity, kFaintContrast);
    if (plausible(faint) && (!plausible(best) || line_fill(faint) < line_fill(best))) best = std::move(faint);
  }
  return plausible(best);
}

// The overview the line is found in. Shading and thin strokes can mislead the guess of which tone is ink, and a
// thin pen line in a large photo can fall below the usual contrast or vanish in the averaging. A quick look at
// about kQuickSide pixels finds most lines (they are cut from a finer look at the line alone): both ways round,
// then at a fainter contrast. When it finds no plausible line, the image is looked at again the same ways at
// kOverviewSide.
Overview choose_overview(const GrayImage& image, const PreprocessOptions& options) {
  const Shrunk quick = shrink(image, std::max(options.work_max_side, kQuickSide));
  Overview best = look_both_ways(quick, options);
  if (plausible(best) || look_fainter(quick, options, best)) return best;
  const Shrunk careful = shrink(image, std::max(options.work_max_side, kOverviewSide));
  if (careful.factor >= quick.factor) return best;
  Overview closer = look_both_ways(careful, options);
  if (plausible(closer)) return closer;
  look_fainter(careful, options, best);
  return best;
}

}  // namespace

NumberLine find_number_line(const GrayImage& image, const PreprocessOptions& options) {
  NumberLine line;
  if (image.empty()) return line;
  Overview overview = choose_overview(image, options);
  if (overview.line.strokes.empty()) return line;
  line.overview = std::move(overview.look);
  if (look_closer(image, line.overview, overview.line, options, line)) return line;
  line.look = line.overview;
  line.strokes = std::move(overview.line.strokes);
  line.digit_height = overview.line.digit_height;
  return line;
}

}  // namespace digitlab::detail
