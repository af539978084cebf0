// The joined pairs the trainer teaches as non-digits (TrainConfig::non_digits): two MNIST training digits side by
// side, touching or overlapping, rendered as the number reader renders a candidate digit.
#include "image/joined_digits.h"

#include <digitlab/mnist.h>
#include <digitlab/model_spec.h>

#include <gtest/gtest.h>

#include "test_helpers.h"

#include <algorithm>
#include <cstdio>

namespace digitlab {
namespace {

/// Width over height of the ink's bounding box in a 28x28 image (0 when there is no ink).
double ink_aspect(const uint8_t* p) {
  int x0 = kInputSide, x1 = -1, y0 = kInputSide, y1 = -1;
  for (int y = 0; y < kInputSide; ++y) {
    for (int x = 0; x < kInputSide; ++x) {
      if (p[y * kInputSide + x] < 64) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  return x1 < 0 ? 0.0 : static_cast<double>(x1 - x0 + 1) / (y1 - y0 + 1);
}

double median_aspect(const uint8_t* images, size_t n) {
  std::vector<double> aspects;
  for (size_t i = 0; i < n; ++i) aspects.push_back(ink_aspect(images + i * kInputSide * kInputSide));
  std::nth_element(aspects.begin(), aspects.begin() + static_cast<std::ptrdiff_t>(n / 2), aspects.end());
  return aspects[n / 2];
}

TEST(JoinedDigits, PairsAreTwoDigitsWideAndRepeatForTheSameSeed) {
  const IdxDataset train = load_mnist(testing::mnist_dir()).train;
  const size_t n = 2000;
  const detail::JoinedDigits joined(train.pixels().data(), train.labels().data(), n, 1);
  constexpr size_t kPairs = 300;
  const std::vector<uint8_t> pairs = joined.make(kPairs, 7);
  ASSERT_EQ(pairs.size(), kPairs * kInputSide * kInputSide);
  for (size_t i = 0; i < kPairs; ++i) EXPECT_GT(ink_aspect(pairs.data() + i * kInputSide * kInputSide), 0.0) << "pair " << i;
  // A single MNIST digit is taller than wide; two side by side are wider than one, though the pair is scaled into
  // the same 20-pixel box.
  const double digits = median_aspect(train.pixels().data(), 300);
  const double joined_pairs = median_aspect(pairs.data(), kPairs);
  std::printf("median width/height: single digits %.2f, joined pairs %.2f\n", digits, joined_pairs);
  EXPECT_LT(digits, 0.9);
  EXPECT_GT(joined_pairs, 1.3 * digits);  // measured 1.25 against 0.80
  EXPECT_EQ(joined.make(20, 7), std::vector<uint8_t>(pairs.begin(), pairs.begin() + 20 * kInputSide * kInputSide));
  EXPECT_NE(joined.make(20, 8), joined.make(20, 7));
}

}  // namespace
}  // namespace digitlab
