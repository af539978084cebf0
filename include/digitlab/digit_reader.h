#pragma once
// Reading the digits in an image: the one decision the Draw tab, the Upload tab and `digitlab-cli predict` share.
// Preprocessing finds one digit (or, in number mode, the digits of a number left to right), and the Predictor
// classifies all of them in one batch. Torch-free header.
//
//   const ImageReading r = read_digits(predictor, load_image("photo.jpg"), {.number = true});
//   if (r.found()) std::printf("%s (%.0f%%)\n", r.text().c_str(), r.confidence() * 100);
//   else std::printf("%s\n", r.reason().c_str());

#include <digitlab/gray_image.h>
#include <digitlab/predictor.h>
#include <digitlab/preprocessor.h>

#include <string>
#include <vector>

namespace digitlab {

/// How to read an image.
struct ReadOptions {
  bool number = false;           ///< Read a number (several digits in a row) rather than one digit.
  PreprocessOptions preprocess;  ///< E.g. the canvas says its ink is light on dark.
};

/// One digit found in an image, with the model's answer.
struct DigitReading {
  PreprocessResult input;  ///< Where it was found (box), the stages, and the 28x28 network input.
  Prediction prediction;
};

/// What read_digits() made of one image.
struct ImageReading {
  /// The digits found, left to right; empty when none was found.
  std::vector<DigitReading> digits;
  /// When no digit was found: the single-digit preprocessing of the image (its working grayscale and the reason),
  /// for display. Unset otherwise.
  PreprocessResult not_found;

  /// True when at least one digit was found.
  bool found() const { return !digits.empty(); }
  /// The answer as text: each digit's label, left to right ("7", "2026"); empty when nothing was found.
  std::string text() const;
  /// The least sure digit's confidence (a number is as sure as its least sure digit); 0 when nothing was found.
  float confidence() const;
  /// Index of the least sure digit; -1 when nothing was found.
  int least_sure() const;
  /// Why nothing was found ("no digit found", "empty image"); empty when found().
  std::string reason() const;
};

/// Finds the digits of `image` as read_digits() does, without classifying them: every prediction stays empty
/// (label -1). For showing the preprocessing stages when no model is loaded. Never throws for any image content.
ImageReading find_digits(const GrayImage& image, const ReadOptions& options = {});

/// Finds and classifies the digits of `image`, all of them in one batch. Throws what Predictor::predict_batch throws (a
/// broken model); never throws for any image content.
ImageReading read_digits(const Predictor& predictor, const GrayImage& image, const ReadOptions& options = {});

}  // namespace digitlab
