#pragma once
// The line of digits of a number, for read_digits() in number mode: the row of strokes picked out of paper
// texture, show-through and stray marks (an underline, a margin line, a smudge), looked at again at a resolution
// fit for cutting it into digits.

#include "image/ink_analysis.h"
#include "image/strokes.h"

#include <digitlab/gray_image.h>
#include <digitlab/preprocessor.h>

#include <vector>

namespace digitlab::detail {

/// The digits' line: the look it was found in (the whole image), the look it is cut from (its neighbourhood at a
/// finer resolution, or the same look), and its strokes in the latter.
struct NumberLine {
  InkAnalysis overview;      // the whole image, for display (grayscale, ink masks)
  InkAnalysis look;          // where the strokes below are
  bool fine = false;         // `look` is a second, finer look at the line's neighbourhood
  std::vector<int> strokes;  // components of `look` on the line, left to right
  int digit_height = 0;      // typical height of a digit, working pixels of `look`
};

/// Finds the line of digits in `image`; `strokes` is empty when there is none. Never throws for any image content.
NumberLine find_number_line(const GrayImage& image, const PreprocessOptions& options);

}  // namespace digitlab::detail
