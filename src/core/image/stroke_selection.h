#pragma once
// Choosing the digit's strokes for preprocess(): one digit, or the digit in a known box (a number's digits: see
// number_line.h and digit_pieces.h).

#include "image/ink_analysis.h"
#include "image/strokes.h"

#include <vector>

namespace digitlab::detail {

/// Adds to `chosen` the lighter pieces (a broken pen line) lying within the box of the chosen strokes.
void add_fragments(const InkAnalysis& a, std::vector<int>& chosen);

/// The digit of single-digit mode: the heaviest stroke and the strokes near it, then the lighter pieces within
/// its box.
std::vector<int> select_digit(const InkAnalysis& a);

/// The strokes of a finer second look whose centres lie in `target` (working pixels of that look).
std::vector<int> select_in_box(const InkAnalysis& a, const Component& target);

}  // namespace digitlab::detail
