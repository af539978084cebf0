// Times preprocess() on synthetic inputs: a 12-megapixel phone photo (4000x3000, a pen digit on shaded paper)
// and a 280x280 canvas drawing. Prints the median of repeated runs in milliseconds, as processor time (what the
// work costs, even on a busy machine) and as wall-clock time.
//
//   preprocess_bench [REPEATS]

#include <digitlab/preprocessor.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace {

using digitlab::GrayImage;

struct Segment {
  float x0, y0, x1, y1;  // as shares of the digit box
};

// A "2" of line segments, `ink` on `paper(x, y)`, in the box (bx, by, side), strokes `width` pixels wide.
template <typename Paper>
GrayImage draw_two(int w, int h, float bx, float by, float side, float width, float ink, Paper paper) {
  const std::vector<Segment> strokes = {{0.15f, 0.25f, 0.35f, 0.05f},
                                        {0.35f, 0.05f, 0.65f, 0.05f},
                                        {0.65f, 0.05f, 0.8f, 0.3f},
                                        {0.8f, 0.3f, 0.15f, 0.95f},
                                        {0.15f, 0.95f, 0.85f, 0.95f}};
  GrayImage image(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) image.at(x, y) = paper(x, y);
  }
  for (const Segment& s : strokes) {
    const float ax = bx + s.x0 * side, ay = by + s.y0 * side, cx = bx + s.x1 * side, cy = by + s.y1 * side;
    const int x0 = static_cast<int>(std::max(0.0f, std::min(ax, cx) - width));
    const int x1 = static_cast<int>(std::min(w - 1.0f, std::max(ax, cx) + width));
    const int y0 = static_cast<int>(std::max(0.0f, std::min(ay, cy) - width));
    const int y1 = static_cast<int>(std::min(h - 1.0f, std::max(ay, cy) + width));
    const float dx = cx - ax, dy = cy - ay, len2 = std::max(dx * dx + dy * dy, 1e-6f);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const float t = std::clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0.0f, 1.0f);
        const float d = std::hypot(x - ax - t * dx, y - ay - t * dy);
        const float cover = std::clamp(width / 2.0f - d + 0.5f, 0.0f, 1.0f);
        image.at(x, y) = image.at(x, y) * (1.0f - cover) + ink * cover;
      }
    }
  }
  return image;
}

struct Timing {
  double cpu_ms = 0.0;
  double wall_ms = 0.0;
};

Timing median_ms(const GrayImage& image, int repeats) {
  std::vector<double> cpu, wall;
  for (int i = 0; i < repeats; ++i) {
    const std::clock_t cpu_start = std::clock();
    const auto wall_start = std::chrono::steady_clock::now();
    const digitlab::PreprocessResult r = digitlab::preprocess(image);
    wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_start).count());
    cpu.push_back(1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    if (!r.found) std::printf("warning: no digit found\n");
  }
  std::sort(cpu.begin(), cpu.end());
  std::sort(wall.begin(), wall.end());
  return {cpu[cpu.size() / 2], wall[wall.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::stoi(argv[1])) : 21;
  const GrayImage photo = draw_two(4000, 3000, 1400, 700, 1500, 14, 0.15f, [](int x, int y) {
    return 0.8f - 0.15f * x / 4000.0f - 0.1f * y / 3000.0f;  // shaded paper
  });
  const GrayImage canvas = draw_two(280, 280, 60, 50, 170, 18, 1.0f, [](int, int) { return 0.0f; });
  const Timing p = median_ms(photo, repeats);
  const Timing c = median_ms(canvas, repeats * 5);
  std::printf("4000x3000 photo: %.2f ms processor, %.2f ms wall\n", p.cpu_ms, p.wall_ms);
  std::printf("280x280 canvas:  %.3f ms processor, %.3f ms wall\n", c.cpu_ms, c.wall_ms);
  return 0;
}
