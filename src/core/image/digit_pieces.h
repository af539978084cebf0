#pragma once
// The pieces a line of digits is cut into, for read_digits() in number mode: whole strokes, and slices of the
// strokes wider than a digit, cut where digits may touch. A digit is one or more consecutive pieces; which ones is
// decided with the classifier (src/core/infer/number_reader.cpp) or, without a model, by their overlap.

#include "image/number_line.h"
#include "image/strokes.h"

#include <digitlab/preprocessor.h>

#include <vector>

namespace digitlab::detail {

/// The pixels of one stroke of the line in columns x0..x1 (working pixels of the line's look); where the stroke was
/// cut along a path, row y of it holds columns from[y - top] to to[y - top] - 1 only (top: the stroke's top row).
struct Slice {
  int component = 0;
  int x0 = 0;
  int x1 = 0;
  std::vector<int> from;  // empty: x0 on every row
  std::vector<int> to;    // empty: x1 + 1 on every row
};

/// A piece of the line: whole strokes, or a slice of a stroke cut where two digits may touch.
struct Piece {
  std::vector<Slice> slices;
  Component box;  // working pixels of the line's look
};

/// The line's strokes cut into pieces, left to right: strokes wider than a digit are cut between plausible digits
/// along the paths that cross the least ink (slanted or curved where digits overlap); specks join the piece they
/// lie on, or are dropped.
std::vector<Piece> cut_pieces(const NumberLine& line);

/// The box around pieces first..last.
Component pieces_box(const std::vector<Piece>& pieces, int first, int last);

/// Who decides whether joined pieces are one digit: the network, which scores every candidate (and may be sure of a
/// wide digit), or their overlap alone, when no model is at hand.
enum class Judge { kNetwork, kOverlap };

/// Whether pieces first..last may be one digit: at most a few, not much wider than a digit (a little wider when the
/// network judges), with no wide empty gap between them.
bool may_join(const std::vector<Piece>& pieces, int first, int last, int digit_height, Judge judge);

/// The pieces grouped into digits by their overlap alone (strokes overlapping horizontally are one digit, and a
/// stroke is never cut), for when no model is at hand: the first piece of each digit, and the end.
std::vector<int> group_by_overlap(const std::vector<Piece>& pieces, int digit_height);

/// The digit made of pieces first..last: its crop, network input, box and transform; found is false when they
/// hold no ink. The grayscale and ink mask stay empty (add_overview() fills them).
PreprocessResult render_pieces(const NumberLine& line, const std::vector<Piece>& pieces, int first, int last,
                               const PreprocessOptions& options);

/// Fills in r.grayscale (the overview's working image) and r.ink_mask (the ink of pieces first..last on it).
void add_overview(const NumberLine& line, const std::vector<Piece>& pieces, int first, int last, PreprocessResult& r);

/// The digits of the number in `image` by overlap alone (group_by_overlap()), with their overview images: what
/// preprocess_multi() returns.
std::vector<PreprocessResult> digits_by_overlap(const GrayImage& image, const PreprocessOptions& options);

}  // namespace digitlab::detail
