#include "explain_output.h"

#include <digitlab/heatmap.h>
#include <digitlab/png_writer.h>

#include <algorithm>

namespace digitlab::cli {
namespace {

/// Side of each digit's picture in the 28x28 sheet: the input enlarged 8 times, pixel for pixel.
constexpr int kZoom = 8;
/// Opacity of the heat over the picture where it is strongest.
constexpr float kOpacity = 0.7f;
/// The original image is shown with its darkest ink lifted to this grey, so that the map's dark purples show on ink.
constexpr float kImageFloor = 0.4f;
/// The 28x28 input is shown this bright under its map, so that the map's pale yellow stands out on white ink.
constexpr float kInputBrightness = 0.45f;

/// `values` (28x28) enlarged kZoom times, pixel for pixel, each times `gain`.
std::vector<float> enlarged(const std::vector<float>& values, float gain = 1.0f) {
  const int side = kInputSide * kZoom;
  std::vector<float> out(static_cast<size_t>(side) * side);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      out[static_cast<size_t>(y) * side + x] = gain * values[static_cast<size_t>(y / kZoom) * kInputSide + x / kZoom];
    }
  }
  return out;
}

/// Each digit's enlarged input with its heat over it, left to right.
RgbImage input_sheet(const ImageReading& reading, const std::vector<Explanation>& explanations) {
  const int side = kInputSide * kZoom;
  RgbImage sheet{side * static_cast<int>(reading.digits.size()), side, {}};
  sheet.rgb.resize(static_cast<size_t>(sheet.width) * side * 3);
  for (size_t d = 0; d < reading.digits.size(); ++d) {
    const GrayImage input(side, side, enlarged(reading.digits[d].input.input28.pixels(), kInputBrightness));
    const RgbImage one = overlay(input, enlarged(heat(explanations[d].map)), kOpacity);
    for (int y = 0; y < side; ++y) {
      std::copy_n(one.rgb.begin() + static_cast<long>(y) * side * 3, side * 3,
                  sheet.rgb.begin() + (static_cast<long>(y) * sheet.width + static_cast<long>(d) * side) * 3);
    }
  }
  return sheet;
}

}  // namespace

std::vector<std::filesystem::path> write_explanation_pngs(const std::filesystem::path& dir, const std::string& name,
                                                          const GrayImage& image, const ImageReading& reading,
                                                          const std::vector<Explanation>& explanations) {
  const auto on_image = dir / (name + "-map.png");
  const auto on_input = dir / (name + "-map28.png");
  const auto placed = place_on_image(reading, explanations, image.width(), image.height());
  const auto write = [](const std::filesystem::path& path, const RgbImage& picture) {
    write_png(path, picture.width, picture.height, /*channels=*/3, picture.rgb.data());
  };
  GrayImage faded = image;
  for (size_t i = 0; i < faded.size(); ++i) faded.data()[i] = kImageFloor + (1 - kImageFloor) * faded.data()[i];
  write(on_image, overlay(faded, placed, kOpacity));
  write(on_input, input_sheet(reading, explanations));
  return {on_image, on_input};
}

nlohmann::json explanation_json(const Explanation& e) {
  nlohmann::json rows = nlohmann::json::array();
  for (int y = 0; y < kInputSide; ++y) {
    rows.push_back(std::vector<float>(e.map.begin() + y * kInputSide, e.map.begin() + (y + 1) * kInputSide));
  }
  nlohmann::json j = {{"method", method_name(e.method)}, {"target", e.target}, {"map", rows}};
  if (e.versus >= 0) j["versus"] = e.versus;
  if (!e.note.empty()) j["note"] = e.note;
  return j;
}

}  // namespace digitlab::cli
