#pragma once
// Images that are not one digit, for teaching the network to be unsure of them (TrainConfig::non_digits): two
// training digits joined as they touch or overlap in a handwritten number, rendered into the network's input as the
// number reader renders a candidate digit. A network that reads such a pair as one digit with full confidence
// leaves the number reader no reason to cut it (a thin "1" glued to a 6 reads as one 6).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace digitlab::detail {

/// Makes joined pairs out of images of single digits (28x28 bytes each, white on black, as MNIST's files hold them).
class JoinedDigits {
 public:
  /// `pixels` holds `count` images; `labels` their classes; `one` the class of a thin "1" (or -1 if there is
  /// none), which is joined to a neighbour more often, since a "1" is the digit most often swallowed.
  JoinedDigits(const uint8_t* pixels, const uint8_t* labels, size_t count, int one);

  /// `n` joined pairs, 28x28 bytes each (white on black), the same for the same seed. Each pair is two images
  /// drawn at random, the second shifted left onto the first by up to a third of the narrower one's width and up
  /// or down by a little, then cut to its ink and rendered as preprocess() renders a digit.
  std::vector<uint8_t> make(size_t n, uint64_t seed) const;

 private:
  const uint8_t* pixels_;
  size_t count_;
  std::vector<size_t> ones_;  // indices of the images of the class `one`
};

}  // namespace digitlab::detail
