#include "image/writing_styles.h"

#include "image/rendering.h"

#include <digitlab/model_spec.h>
#include <digitlab/preprocessor.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace digitlab::detail {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Flags on 1s. A pixel at least this bright (of 255) is ink when finding the stem...
constexpr uint8_t kInkLevel = 128;
// ...and an image with fewer rows of ink than this has no stem to flag.
constexpr int kLeastStemRows = 8;
// The flag is this long, as a share of the stem's height, and falls this steeply (degrees below the horizontal) to
// the left of the stem's top. Real flags run to about half the stem at about 45 degrees (realworld-digits
// dfak0-samed_1: 0.55 at 43); a flatter one would make a 7 of the 1.
constexpr double kShortestFlag = 0.25;
constexpr double kLongestFlag = 0.6;
constexpr double kFlattestFlag = 30.0;
constexpr double kSteepestFlag = 55.0;
// Half the flag's width is half the stem's mean width in ink pixels, within these bounds.
constexpr double kThinnestHalfWidth = 0.8;
constexpr double kThickestHalfWidth = 2.0;

// Closed 4s, drawn on a canvas in units of the digit's height (kCanvasHeight pixels), y downwards. The stem leans
// right by up to kMostLean (its top right of its foot) or left by up to kLeastLean...
constexpr double kCanvasHeight = 100.0;
constexpr double kLeastLean = -0.05;
constexpr double kMostLean = 0.2;
// ...the top's slanted side runs from the stem at [0, kLowestApex] down-left to a corner kShortestTop to
// kTallestTop lower, kNarrowestTop to kWidestTop left of the stem (and at least kLeastTopAspect times as wide as
// tall: a narrower top makes a flagged 1 of the 4), and the bar runs back from the corner to the stem and up to
// kLongestOvershoot beyond it. The tops of realworld-digits krisut-dump_4 and krisut-mydigits_4 are about a quarter
// of the height each way.
constexpr double kLowestApex = 0.12;
constexpr double kShortestTop = 0.22;
constexpr double kTallestTop = 0.55;
constexpr double kNarrowestTop = 0.2;
constexpr double kWidestTop = 0.65;
constexpr double kLeastTopAspect = 0.7;
constexpr double kLongestOvershoot = 0.25;
// The slanted side bows sideways, and the bar tilts, by up to this much; strokes are this thick (half-widths). All
// in digit heights.
constexpr double kMostBow = 0.06;
constexpr double kThinnestStroke = 0.04;
constexpr double kThickestStroke = 0.08;

struct Point {
  double x = 0;
  double y = 0;
};

// Ink (0 to 1) of a stroke of half-width `radius` from a to b at the point p, its edge smoothed over one pixel.
double stroke_ink(Point p, Point a, Point b, double radius) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length2 = dx * dx + dy * dy;
  const double t = length2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / length2, 0.0, 1.0) : 0.0;
  return std::clamp(radius + 0.5 - std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)), 0.0, 1.0);
}

// Calls put(x, y, ink) for every pixel of a width x height grid that the stroke from a to b touches.
template <typename Put>
void paint_stroke(int width, int height, Point a, Point b, double radius, Put put) {
  const int x0 = std::max(0, static_cast<int>(std::floor(std::min(a.x, b.x) - radius - 1)));
  const int x1 = std::min(width - 1, static_cast<int>(std::ceil(std::max(a.x, b.x) + radius + 1)));
  const int y0 = std::max(0, static_cast<int>(std::floor(std::min(a.y, b.y) - radius - 1)));
  const int y1 = std::min(height - 1, static_cast<int>(std::ceil(std::max(a.y, b.y) + radius + 1)));
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double ink = stroke_ink({x + 0.5, y + 0.5}, a, b, radius);
      if (ink > 0) put(x, y, ink);
    }
  }
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// Draws a flag on the "1" in the 28x28 image `p`; false when it has no stem to flag.
bool add_flag(uint8_t* p, std::mt19937_64& rng) {
  constexpr int kSide = kInputSide;
  int top = -1, bottom = -1, ink_rows = 0, ink_pixels = 0;
  for (int y = 0; y < kSide; ++y) {
    const int width =
        static_cast<int>(std::count_if(p + y * kSide, p + (y + 1) * kSide, [](uint8_t v) { return v >= kInkLevel; }));
    if (width == 0) continue;
    if (top < 0) top = y;
    bottom = y;
    ++ink_rows;
    ink_pixels += width;
  }
  if (ink_rows < kLeastStemRows) return false;
  // The stem's top: the middle of the ink in its two highest rows.
  double x_sum = 0, n = 0;
  for (int y = top; y <= top + 1; ++y) {
    for (int x = 0; x < kSide; ++x) {
      if (p[y * kSide + x] < kInkLevel) continue;
      x_sum += x + 0.5;
      n += 1;
    }
  }
  const Point start{x_sum / n, top + 0.5};
  const double radius = std::clamp(ink_pixels / (2.0 * ink_rows), kThinnestHalfWidth, kThickestHalfWidth);
  const double length = uniform(rng, kShortestFlag, kLongestFlag) * (bottom - top + 1);
  const double angle = uniform(rng, kFlattestFlag, kSteepestFlag) * kPi / 180.0;
  const Point end{start.x - length * std::cos(angle), start.y + length * std::sin(angle)};
  paint_stroke(kSide, kSide, start, end, radius, [&](int x, int y, double ink) {
    uint8_t& v = p[y * kSide + x];
    v = static_cast<uint8_t>(std::max<long>(v, std::lround(ink * 255.0)));
  });
  return true;
}

}  // namespace

WritingStyles::WritingStyles(double share, uint64_t seed) : share_(share), seed_(seed) {}

GrayImage WritingStyles::draw_closed_four(std::mt19937_64& rng) {
  const double h = kCanvasHeight;
  const double lean = uniform(rng, kLeastLean, kMostLean);
  const double radius = uniform(rng, kThinnestStroke, kThickestStroke) * h;
  // The stem's top sits far enough right for the widest top and the most leaning stem to stay on the canvas.
  const double margin = (kThickestStroke + 0.1) * h;
  const double top_x = margin + (kWidestTop + std::max(0.0, kMostLean)) * h;
  const auto stem_x = [&](double y) { return top_x - lean * y; };
  const double apex_y = uniform(rng, 0.0, kLowestApex) * h;
  const double top_height = uniform(rng, kShortestTop, kTallestTop);
  const double bar_y = apex_y + top_height * h;
  const double top_width = uniform(rng, std::max(kNarrowestTop, kLeastTopAspect * top_height), kWidestTop);
  const Point stem_top{stem_x(0), margin}, stem_foot{stem_x(h), margin + h};
  const Point apex{stem_x(apex_y), margin + apex_y};
  const Point corner{stem_x(bar_y) - top_width * h, margin + bar_y};
  const Point bar_end{stem_x(bar_y) + uniform(rng, 0.0, kLongestOvershoot) * h,
                      corner.y + uniform(rng, -kMostBow, kMostBow) * h};
  // The slanted side, bowed at its middle perpendicular to its run.
  const double dx = corner.x - apex.x, dy = corner.y - apex.y, run = std::hypot(dx, dy);
  const double bow = uniform(rng, -kMostBow, kMostBow) * h;
  const Point middle{(apex.x + corner.x) / 2 - dy / run * bow, (apex.y + corner.y) / 2 + dx / run * bow};

  GrayImage canvas(static_cast<int>(top_x + (kLongestOvershoot + kMostBow) * h + margin),
                   static_cast<int>(h + 2 * margin));
  const auto put = [&](int x, int y, double ink) {
    canvas.at(x, y) = std::max(canvas.at(x, y), static_cast<float>(ink));
  };
  const std::pair<Point, Point> strokes[] = {
      {stem_top, stem_foot}, {apex, middle}, {middle, corner}, {corner, bar_end}};
  for (const auto& [a, b] : strokes) paint_stroke(canvas.width(), canvas.height(), a, b, radius, put);
  return render_input(trim(canvas), PreprocessOptions{});
}

WritingStyles::Changed WritingStyles::apply(uint8_t* pixels, const uint8_t* labels, size_t count, int one,
                                            int four) const {
  Changed changed;
  if (share_ <= 0) return changed;
  std::mt19937_64 rng(seed_);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  constexpr size_t kPixels = kInputSide * kInputSide;
  for (size_t i = 0; i < count; ++i) {
    const int label = labels[i];
    if ((label != one && label != four) || unit(rng) >= share_) continue;
    uint8_t* p = pixels + i * kPixels;
    if (label == one) {
      changed.ones += add_flag(p, rng);
      continue;
    }
    const std::vector<uint8_t> four_image = draw_closed_four(rng).to_u8();
    std::copy(four_image.begin(), four_image.end(), p);
    ++changed.fours;
  }
  return changed;
}

}  // namespace digitlab::detail
