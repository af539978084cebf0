#pragma once
// Digit shapes that many people write and MNIST's writers seldom did, for training (TrainConfig::writing_styles):
// - a "1" that starts with a flag, a stroke down-left from the top of the stem, up to 0.6 of the stem long: a
//   network trained on MNIST alone reads it as a 7, or as part of the digit it touches;
// - a "4" with a small closed top, a triangle under the stem's top: read as a 9 (realworld-digits krisut-*_4).

#include <digitlab/gray_image.h>

#include <cstddef>
#include <cstdint>
#include <random>

namespace digitlab::detail {

/// Draws these shapes over a share of the training images of a 1 and of a 4.
class WritingStyles {
 public:
  /// `share` (0 to 1) of the images of each of the two classes; the same `seed` changes the same images the same way.
  WritingStyles(double share, uint64_t seed);

  /// How many images apply() changed.
  struct Changed {
    size_t ones = 0;
    size_t fours = 0;
  };

  /// Among `count` 28x28 images of bytes (white on black, as MNIST's files hold them) at `pixels`, whose classes are
  /// `labels`: gives a share of the images of class `one` a flag (a blank image, or one too short to be a stem, is
  /// left as it is) and replaces a share of those of class `four` with a drawn closed 4. A class of -1 is left out.
  Changed apply(uint8_t* pixels, const uint8_t* labels, size_t count, int one, int four) const;

  /// A closed 4 of random proportions, slant and stroke width, as the network's 28x28 input (white on black, [0, 1]):
  /// drawn as strokes and rendered as preprocess() renders a real digit.
  static GrayImage draw_closed_four(std::mt19937_64& rng);

 private:
  double share_;
  uint64_t seed_;
};

}  // namespace digitlab::detail
