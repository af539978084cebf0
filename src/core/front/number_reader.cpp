#include "front/number_reader.h"

#include "image/digit_pieces.h"
#include "image/number_line.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace digitlab::detail {

namespace {

// A piece is dropped rather than read when every reading of it is less sure than this (log-probability scale)...
constexpr float kDropBelow = 0.5f;
// ...or, for a piece at least kTallPiece digit heights tall (a digit, or most of one), than kTallDropBelow: a digit
// the network is unsure of is shown as unsure rather than lost from the number. People write some digits smaller
// than the rest: the 6 of realworld-numbers huangzy_6789 is 0.69 digit heights tall.
constexpr float kTallPiece = 0.6f;
constexpr float kTallDropBelow = 0.1f;
// Readings of digits wider than this (in digit heights) lose kWidePenalty (log-probability) per digit height
// beyond it: two digits read as one are wide. From 1.2, touching pairs (a "1" above all) were often read as one
// wide digit; below 1.0, wide digits of a single stroke get cut in two, and a real 5 of 1.2 digit heights
// (realworld-numbers huangzy_5) keeps its reading only while the penalty stays under the cut's cost.
constexpr float kWideFrom = 1.0f;
// A digit cut out of a longer stroke (touching digits) is held to this narrower width: two digits cut out together
// still look like one to the network surprisingly often.
constexpr float kCutWideFrom = 0.8f;
constexpr float kWidePenalty = 2.0f;
// A reading at least this sure keeps only kSurePenaltyShare of the width penalty. The shipped model was taught
// (TrainConfig::non_digits) that two joined digits are no one digit, so a wide stroke it is this sure of is mostly
// one wide digit, such as a "2" with a long base, rather than two digits to cut apart. (Tuned for the shipped model:
// a model trained without non-digits is surer of joined pairs, and keeps more of them whole.) Waiving the penalty
// altogether let overlapping pairs (a 4 and a 3, a 5 and a 3) pass as one sure 8. Measured over the synthetic and
// real-writer numbers of tests/test_number_reader.cpp with three seeds each: no set lost more than one number, and
// touching real writers gained 6 to 9 of 160.
constexpr float kSureFrom = 0.995f;
constexpr float kSurePenaltyShare = 0.5f;
// Cutting a stroke between two digits is believed only when the two readings beat the whole stroke's by this much
// (a factor on the probability). Measured with kWideFrom over the touching and overlapping numbers of
// tests/test_number_reader.cpp (three seeds each): 0.6 lost touching digits that needed the cut, 0.9 cut wide
// single digits.
constexpr float kCutCost = 0.7f;
// Log-probabilities are floored here, so one hopeless digit does not outweigh every other choice.
constexpr float kLeastProbability = 1e-6f;

// One way to read pieces first..last as a single digit.
struct Candidate {
  int first = 0;
  int last = 0;
  PreprocessResult input;
  Prediction prediction;
  float score = 0.0f;
};

// Whether pieces `left` and `right` are two slices of one stroke (false past either end).
bool cuts_stroke(const std::vector<Piece>& pieces, int left, int right) {
  if (left < 0 || right >= static_cast<int>(pieces.size())) return false;
  return pieces[left].slices.front().component == pieces[right].slices.front().component;
}

// Every plausible digit: one to a few consecutive pieces; each rendered into the network's input.
std::vector<Candidate> make_candidates(const NumberLine& line, const std::vector<Piece>& pieces,
                                       const PreprocessOptions& options) {
  std::vector<Candidate> candidates;
  const int n = static_cast<int>(pieces.size());
  for (int first = 0; first < n; ++first) {
    for (int last = first; last < n && may_join(pieces, first, last, line.digit_height, Judge::kNetwork); ++last) {
      PreprocessResult input = render_pieces(line, pieces, first, last, options);
      if (input.found) candidates.push_back({first, last, std::move(input), {}, 0.0f});
    }
  }
  return candidates;
}

// Classifies every candidate in one batch and scores it: the log-probability of its answer, less the penalty for a
// digit wider than a digit (halved when the network is sure of it).
void score_candidates(const Predictor& predictor, const NumberLine& line, const std::vector<Piece>& pieces,
                      std::vector<Candidate>& candidates) {
  std::vector<float> batch;
  batch.reserve(candidates.size() * kInputSide * kInputSide);
  for (const Candidate& c : candidates) {
    batch.insert(batch.end(), c.input.input28.pixels().begin(), c.input.input28.pixels().end());
  }
  const std::vector<Prediction> predictions = predictor.predict_batch(batch, candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    c.prediction = predictions[i];
    const float width = static_cast<float>(pieces_box(pieces, c.first, c.last).width()) / line.digit_height;
    const float wide_from =
        cuts_stroke(pieces, c.first - 1, c.first) || cuts_stroke(pieces, c.last, c.last + 1) ? kCutWideFrom : kWideFrom;
    const float penalty = c.prediction.confidence() >= kSureFrom ? kSurePenaltyShare * kWidePenalty : kWidePenalty;
    c.score = std::log(std::max(c.prediction.confidence(), kLeastProbability)) -
              penalty * std::max(0.0f, width - wide_from);
  }
}

// The best reading of all the pieces: each piece either in exactly one digit or dropped; cutting a stroke costs
// kCutCost. Returns the candidates chosen, left to right. `digit_height` is the line's, in the pieces' pixels.
std::vector<int> best_reading(const std::vector<Candidate>& candidates, const std::vector<Piece>& pieces,
                              int digit_height) {
  const int n = static_cast<int>(pieces.size());
  // Starting a digit at piece i cuts a stroke when piece i - 1 is a slice of the same stroke.
  const auto cut_before = [&](int i) { return cuts_stroke(pieces, i - 1, i) ? std::log(kCutCost) : 0.0f; };
  std::vector<float> best(static_cast<size_t>(n) + 1, -std::numeric_limits<float>::infinity());
  std::vector<int> choice(static_cast<size_t>(n) + 1, -1);  // candidate ending there, -1 for a dropped piece
  best[0] = 0.0f;
  const auto drop = [&](int i) {
    return std::log(pieces[i].box.height() >= kTallPiece * digit_height ? kTallDropBelow : kDropBelow);
  };
  for (int end = 1; end <= n; ++end) {
    best[end] = best[end - 1] + drop(end - 1);
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      const float score = best[c.first] + c.score + cut_before(c.first);
      if (c.last + 1 != end || score <= best[end]) continue;
      best[end] = score;
      choice[end] = static_cast<int>(i);
    }
  }
  std::vector<int> chosen;
  for (int end = n; end > 0;) {
    const int i = choice[end];
    if (i < 0) {
      --end;
      continue;
    }
    chosen.push_back(i);
    end = candidates[i].first;
  }
  std::reverse(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace

std::vector<DigitReading> read_number(const Predictor& predictor, const GrayImage& image,
                                      const PreprocessOptions& options) {
  std::vector<DigitReading> digits;
  const NumberLine line = find_number_line(image, options);
  if (line.strokes.empty()) return digits;
  const std::vector<Piece> pieces = cut_pieces(line);
  std::vector<Candidate> candidates = make_candidates(line, pieces, options);
  if (candidates.empty()) return digits;
  score_candidates(predictor, line, pieces, candidates);
  for (int i : best_reading(candidates, pieces, line.digit_height)) {
    Candidate& c = candidates[static_cast<size_t>(i)];
    add_overview(line, pieces, c.first, c.last, c.input);
    digits.push_back({std::move(c.input), std::move(c.prediction)});
  }
  return digits;
}

}  // namespace digitlab::detail
