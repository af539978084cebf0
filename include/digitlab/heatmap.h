#pragma once
// Showing a saliency map (explainer.h): its heat in [0, 1], placed on the image the digit came from, coloured with
// a perceptually uniform colour map and laid over a picture. Torch-free; the CLI writes these as PNGs (png_writer.h),
// and the app may use the same heat and colours.
//
//   const std::vector<float> on_photo = place_on_image(reading, explanations, photo.width(), photo.height());
//   const RgbImage picture = overlay(photo, on_photo, /*opacity=*/0.6f);

#include <digitlab/gray_image.h>
#include <digitlab/preprocessor.h>

#include <array>
#include <cstdint>
#include <vector>

namespace digitlab {

struct Explanation;
struct ImageReading;

/// An 8-bit RGB picture, row-major, 3 bytes per pixel.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  ///< width * height * 3 bytes.
};

/// The evidence for the explained class in [0, 1]: the map's positive part divided by its largest value (all zeros
/// when nothing speaks for the class).
std::vector<float> heat(const std::vector<float>& map);

/// A 28x28 map (kInputPixels values) placed on the width x height image the input was rendered from, through
/// `transform` (PreprocessResult::transform), sampled bilinearly; 0 outside the input's footprint. Throws
/// std::invalid_argument for a map of the wrong size or a negative size.
std::vector<float> map_to_image(const std::vector<float>& map28, const InputTransform& transform, int width,
                                int height);

/// Every digit's heat placed on the width x height image `reading` was read from (the larger value where two
/// overlap): one map for a number. Throws std::invalid_argument when the counts differ.
std::vector<float> place_on_image(const ImageReading& reading, const std::vector<Explanation>& explanations, int width,
                                  int height);

/// The colour of `t` in [0, 1] (clamped) on the inferno colour map: black through purple and orange to pale yellow,
/// perceptually uniform and readable in greyscale.
std::array<uint8_t, 3> inferno(float t);

/// `image` (grey) with `heat` (same size, values in [0, 1]) coloured over it: each pixel blends towards the heat's
/// colour by opacity * heat, so cold areas show the image. Throws std::invalid_argument when the sizes differ.
RgbImage overlay(const GrayImage& image, const std::vector<float>& heat, float opacity = 0.6f);

}  // namespace digitlab
