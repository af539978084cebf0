#pragma once
// Turns a user's image (canvas drawing, photo, scan, paint-program file) into the 28x28 input DigitNet was
// trained on: white digit on black, values in [0, 1], the digit scaled to fit a 20x20 box with its aspect ratio
// kept and soft (anti-aliased) edges, placed so that its centre of mass sits at pixel (14, 14), like MNIST.
//
//   GrayImage image = load_image("photo.jpg");
//   PreprocessResult r = preprocess(image);
//   if (r.found) feed(r.input28);  // else show r.reason
//
// One code path serves the drawing canvas, uploads and the CLI.

#include <digitlab/gray_image.h>
#include <digitlab/model_spec.h>

#include <string>
#include <vector>

namespace digitlab {

/// Side of the box the digit is scaled to fit inside the input, in pixels.
constexpr int kDigitBoxSide = 20;

/// Which way round the ink is.
enum class InkPolarity {
  kAuto,         ///< Detect it from the image.
  kDarkOnLight,  ///< Dark ink on light paper (pen on paper, black brush on a white canvas).
  kLightOnDark,  ///< Light ink on a dark background (chalk, white brush on a black canvas).
};

/// Settings of preprocess(); the defaults suit every kind of input.
struct PreprocessOptions {
  /// Ink polarity; a canvas that knows its colours may say so, everything else leaves kAuto.
  InkPolarity polarity = InkPolarity::kAuto;
  /// Longest side of the working image: larger inputs are first area-averaged down by an integer factor.
  int work_max_side = 256;
  /// Strokes thinner than this, in pixels at the 20-pixel digit scale, are thickened to it (never thinned);
  /// 0 turns thickening off. MNIST's strokes are about 2.3 pixels wide at that scale.
  float min_stroke_width = 2.5f;
  /// Least difference between ink and paper (on the 0..1 scale) that counts as ink.
  float min_contrast = 0.08f;
};

/// A rectangle in the input image's pixel coordinates.
struct DigitBox {
  int x = 0;       ///< Left column.
  int y = 0;       ///< Top row.
  int width = 0;   ///< Width in pixels.
  int height = 0;  ///< Height in pixels.
};

/// Where the 28x28 input lies on the input image: the point (u, v) of the input, in pixel units from its top-left
/// corner (pixel (i, j) spans [i, i+1) x [j, j+1)), is the point (x0 + u * scale_x, y0 + v * scale_y) of the image.
/// It undoes the crop, the scaling into the 20-pixel box (and the stroke thickening's margin) and the centring shift.
struct InputTransform {
  float x0 = 0.0f;       ///< Image x of the input's left edge (may lie outside the image).
  float y0 = 0.0f;       ///< Image y of the input's top edge.
  float scale_x = 1.0f;  ///< Image pixels per input pixel, across.
  float scale_y = 1.0f;  ///< Image pixels per input pixel, down.
};

/// What preprocess() made of an image, with the intermediate images for display.
struct PreprocessResult {
  /// True when a digit was found; the images below are then filled in.
  bool found = false;
  /// The input at working resolution (downscaled if large), as given: not inverted.
  GrayImage grayscale;
  /// Same size as `grayscale`: 1 on the ink kept as the digit, 0 elsewhere (paper, specks, paper edges, lines).
  GrayImage ink_mask;
  /// The digit's bounding box from the lighting-corrected ink image, white on black, before scaling.
  GrayImage cropped;
  /// The network input: 28x28, white digit on black, values in [0, 1].
  GrayImage input28;
  /// Where the digit lies in the input image.
  DigitBox box;
  /// Where the 28x28 input lies on the input image (for placing a map of the input on the image).
  InputTransform transform;
  /// Why nothing was found ("no digit found", "empty image"); empty when `found`.
  std::string reason;
};

/// Finds the one digit in `image` and turns it into the network's 28x28 input; all significant ink near the
/// largest stroke counts as the digit. A blank or nearly blank image (empty canvas, plain paper) gives
/// found == false with reason "no digit found". Never throws for any image content.
PreprocessResult preprocess(const GrayImage& image, const PreprocessOptions& options = {});

/// Finds the digits written in a row, ordered left to right: strokes overlapping horizontally (the two strokes
/// of a 4 or a 5) are one digit; each digit then goes through the same crop, scale and centring as preprocess().
/// Returns an empty vector when no digit is found. Never throws for any image content.
std::vector<PreprocessResult> preprocess_multi(const GrayImage& image, const PreprocessOptions& options = {});

/// The boxes of the digits preprocess_multi() would return, in the same order, without rendering them.
std::vector<DigitBox> segment_digits(const GrayImage& image, const PreprocessOptions& options = {});

}  // namespace digitlab
