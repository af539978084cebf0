#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>
#include <digitlab/heatmap.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace digitlab {
namespace {

void check_map(const std::vector<float>& map) {
  if (map.size() != kInputPixels) {
    throw std::invalid_argument("heatmap: expected a map of " + std::to_string(kInputPixels) + " values, got " +
                                std::to_string(map.size()));
  }
}

/// The map at input coordinates (u, v) (pixel centres at i + 0.5), bilinear; 0 beyond the input.
float sample(const std::vector<float>& map, float u, float v) {
  const float fx = u - 0.5f, fy = v - 0.5f;
  const int x0 = static_cast<int>(std::floor(fx)), y0 = static_cast<int>(std::floor(fy));
  const float ax = fx - x0, ay = fy - y0;
  const auto at = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= kInputSide || y >= kInputSide) return 0.0f;
    return map[static_cast<size_t>(y) * kInputSide + x];
  };
  return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) +
         ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1));
}

}  // namespace

std::vector<float> heat(const std::vector<float>& map) {
  const float top = map.empty() ? 0.0f : *std::max_element(map.begin(), map.end());
  std::vector<float> out(map.size(), 0.0f);
  if (!(top > 0.0f)) return out;
  for (size_t i = 0; i < map.size(); ++i) out[i] = std::max(0.0f, map[i]) / top;
  return out;
}

std::vector<float> map_to_image(const std::vector<float>& map28, const InputTransform& transform, int width,
                                int height) {
  check_map(map28);
  if (width < 0 || height < 0) throw std::invalid_argument("map_to_image: negative image size");
  std::vector<float> out(static_cast<size_t>(width) * height, 0.0f);
  if (!(transform.scale_x > 0.0f && transform.scale_y > 0.0f)) return out;
  // Only the input's footprint on the image can be non-zero.
  const auto span = [](float origin, float scale, int limit, int* first, int* last) {
    *first = std::clamp(static_cast<int>(std::floor(origin)), 0, limit);
    *last = std::clamp(static_cast<int>(std::ceil(origin + scale * kInputSide)), 0, limit);
  };
  int x_first, x_last, y_first, y_last;
  span(transform.x0, transform.scale_x, width, &x_first, &x_last);
  span(transform.y0, transform.scale_y, height, &y_first, &y_last);
  for (int y = y_first; y < y_last; ++y) {
    const float v = (y + 0.5f - transform.y0) / transform.scale_y;
    for (int x = x_first; x < x_last; ++x) {
      const float u = (x + 0.5f - transform.x0) / transform.scale_x;
      out[static_cast<size_t>(y) * width + x] = sample(map28, u, v);
    }
  }
  return out;
}

std::vector<float> place_on_image(const ImageReading& reading, const std::vector<Explanation>& explanations, int width,
                                  int height) {
  if (explanations.size() != reading.digits.size()) {
    throw std::invalid_argument("place_on_image: " + std::to_string(explanations.size()) + " maps for " +
                                std::to_string(reading.digits.size()) + " digits");
  }
  std::vector<float> out(static_cast<size_t>(std::max(0, width)) * std::max(0, height), 0.0f);
  for (size_t d = 0; d < explanations.size(); ++d) {
    const auto placed = map_to_image(heat(explanations[d].map), reading.digits[d].input.transform, width, height);
    for (size_t i = 0; i < out.size(); ++i) out[i] = std::max(out[i], placed[i]);
  }
  return out;
}

std::array<uint8_t, 3> inferno(float t) {
  // A degree-6 polynomial fit of matplotlib's inferno per channel (Horner form), lowest degree first.
  static constexpr double kCoefficients[3][7] = {
      {0.0002189403691192265, 0.1065134194856116, 11.60249308247187, -41.70399613139459, 77.162935699427,
       -71.31942824499214, 25.13112622477341},
      {0.001651004631001012, 0.5639564367884091, -3.972853965665698, 17.43639888205313, -33.40235894210092,
       32.62606426397723, -12.24266895238567},
      {-0.01948089843709184, 3.932712388889277, -15.9423941062914, 44.35414519872813, -81.80730925738993,
       73.20951985803202, -23.07032500287172}};
  const double x = std::isnan(t) ? 0.0 : std::clamp(static_cast<double>(t), 0.0, 1.0);
  std::array<uint8_t, 3> rgb{};
  for (int c = 0; c < 3; ++c) {
    double value = 0.0;
    for (int k = 6; k >= 0; --k) value = value * x + kCoefficients[c][k];
    rgb[static_cast<size_t>(c)] = static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 1.0) * 255.0));
  }
  return rgb;
}

RgbImage overlay(const GrayImage& image, const std::vector<float>& heat_map, float opacity) {
  if (heat_map.size() != image.size()) {
    throw std::invalid_argument("overlay: " + std::to_string(heat_map.size()) + " heat values for an image of " +
                                std::to_string(image.size()) + " pixels");
  }
  RgbImage out{image.width(), image.height(), std::vector<uint8_t>(image.size() * 3)};
  for (size_t i = 0; i < image.size(); ++i) {
    const float h = std::clamp(heat_map[i], 0.0f, 1.0f);
    const float a = std::clamp(opacity, 0.0f, 1.0f) * h;
    const float grey = std::clamp(image.data()[i], 0.0f, 1.0f) * 255.0f;
    const auto colour = inferno(h);
    for (size_t c = 0; c < 3; ++c)
      out.rgb[i * 3 + c] = static_cast<uint8_t>(std::lround((1 - a) * grey + a * colour[c]));
  }
  return out;
}

}  // namespace digitlab
