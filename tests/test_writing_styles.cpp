// Digit shapes MNIST's writers seldom used, drawn for training (TrainConfig::writing_styles): flagged 1s, closed 4s.
#include "image/writing_styles.h"

#include <digitlab/mnist.h>
#include <digitlab/model_spec.h>

#include <gtest/gtest.h>

#include "test_helpers.h"

#include <algorithm>
#include <vector>

namespace digitlab {
namespace {

constexpr size_t kPixels = kInputSide * kInputSide;
constexpr int kOne = 1;
constexpr int kFour = 4;

std::vector<uint8_t> first_images(const IdxDataset& set, size_t n) {
  return {set.pixels().begin(), set.pixels().begin() + static_cast<std::ptrdiff_t>(n * kPixels)};
}

TEST(WritingStyles, OnesGetAFlagUpAndLeftOfTheirStemAndOnlyFoursAreRedrawn) {
  const IdxDataset test = load_mnist(testing::mnist_dir()).test;
  constexpr size_t kImages = 2000;
  std::vector<uint8_t> pixels = first_images(test, kImages);
  const detail::WritingStyles styles(0.5, 7);
  const auto changed = styles.apply(pixels.data(), test.labels().data(), kImages, kOne, kFour);

  size_t ones = 0, fours = 0, flagged = 0, redrawn = 0;
  for (size_t i = 0; i < kImages; ++i) {
    const int label = test.labels()[i];
    const uint8_t* before = test.pixels().data() + i * kPixels;
    const uint8_t* after = pixels.data() + i * kPixels;
    ones += label == kOne;
    fours += label == kFour;
    if (std::equal(before, before + kPixels, after)) continue;
    ASSERT_TRUE(label == kOne || label == kFour) << "image " << i << ", a " << label << ", was changed";
    if (label == kFour) {
      ++redrawn;
      continue;
    }
    ++flagged;
    // A flag only adds ink, and hangs from the top of the stem to its left: in the upper half, left of the top.
    double added = 0, added_x = 0, added_y = 0;
    for (size_t k = 0; k < kPixels; ++k) {
      ASSERT_GE(after[k], before[k]) << "image " << i << ": a flag only adds ink";
      const double ink = after[k] - before[k];
      added += ink;
      added_x += ink * static_cast<double>(k % kInputSide);
      added_y += ink * static_cast<double>(k / kInputSide);
    }
    size_t top = 0;
    while (
        std::none_of(before + top * kInputSide, before + (top + 1) * kInputSide, [](uint8_t v) { return v >= 128; })) {
      ++top;
    }
    double top_x = 0, top_n = 0;
    for (size_t x = 0; x < kInputSide; ++x) {
      if (before[top * kInputSide + x] < 128) continue;
      top_x += static_cast<double>(x);
      top_n += 1;
    }
    EXPECT_LT(added_x / added, top_x / top_n) << "image " << i;
    EXPECT_LT(added_y / added, kInputSide / 2.0) << "image " << i;
  }
  EXPECT_EQ(changed.ones, flagged);
  EXPECT_EQ(changed.fours, redrawn);
  EXPECT_GT(flagged, ones * 4 / 10);
  EXPECT_LT(flagged, ones * 6 / 10);
  EXPECT_GT(redrawn, fours * 4 / 10);
  EXPECT_LT(redrawn, fours * 6 / 10);

  // The same seed changes the same images the same way; another seed does not.
  std::vector<uint8_t> again = first_images(test, kImages);
  styles.apply(again.data(), test.labels().data(), kImages, kOne, kFour);
  EXPECT_EQ(again, pixels);
  std::vector<uint8_t> other = first_images(test, kImages);
  detail::WritingStyles(0.5, 8).apply(other.data(), test.labels().data(), kImages, kOne, kFour);
  EXPECT_NE(other, pixels);
}

TEST(WritingStyles, NothingChangesWithoutTheClassesOrAShare) {
  const IdxDataset test = load_mnist(testing::mnist_dir()).test;
  std::vector<uint8_t> pixels = first_images(test, 500);
  const auto none = detail::WritingStyles(1.0, 1).apply(pixels.data(), test.labels().data(), 500, -1, -1);
  EXPECT_EQ(none.ones + none.fours, 0u);
  const auto off = detail::WritingStyles(0.0, 1).apply(pixels.data(), test.labels().data(), 500, kOne, kFour);
  EXPECT_EQ(off.ones + off.fours, 0u);
  EXPECT_EQ(pixels, first_images(test, 500));
  // Data with a "1" and no "4" (a class missing from a set of one's own): the 1s change, nothing else.
  const auto ones_only = detail::WritingStyles(1.0, 1).apply(pixels.data(), test.labels().data(), 500, kOne, -1);
  EXPECT_GT(ones_only.ones, 0u);
  EXPECT_EQ(ones_only.fours, 0u);
  const std::vector<uint8_t> before = first_images(test, 500);
  for (size_t i = 0; i < 500; ++i) {
    if (test.labels()[i] == kOne) continue;
    EXPECT_TRUE(
        std::equal(before.begin() + i * kPixels, before.begin() + (i + 1) * kPixels, pixels.begin() + i * kPixels))
        << "image " << i << ", a " << int{test.labels()[i]};
  }
}

/// Pixels of `image` (28x28, [0, 1]) that are paper enclosed by ink: not reachable from the border without crossing
/// a pixel of at least half ink.
std::vector<bool> enclosed_paper(const GrayImage& image) {
  const int side = kInputSide;
  std::vector<bool> reached(kPixels, false);
  std::vector<int> stack;
  for (int i = 0; i < side; ++i) {
    for (const int k : {i, (side - 1) * side + i, i * side, i * side + side - 1}) stack.push_back(k);
  }
  while (!stack.empty()) {
    const int k = stack.back();
    stack.pop_back();
    if (reached[k] || image.pixels()[k] >= 0.5f) continue;
    reached[k] = true;
    const int x = k % side, y = k / side;
    if (x > 0) stack.push_back(k - 1);
    if (x < side - 1) stack.push_back(k + 1);
    if (y > 0) stack.push_back(k - side);
    if (y < side - 1) stack.push_back(k + side);
  }
  std::vector<bool> enclosed(kPixels, false);
  for (size_t k = 0; k < kPixels; ++k) enclosed[k] = !reached[k] && image.pixels()[k] < 0.5f;
  return enclosed;
}

// What makes a closed 4: a triangle high on the stem, its bar the widest row, and below it the stem alone. Most tops
// stay open paper inside; a thick pen fills the smallest, as it does on paper.
TEST(WritingStyles, DrawnFoursHaveAClosedTopHighOnALongStem) {
  std::mt19937_64 rng(3);
  constexpr int kDrawings = 200;
  int with_paper_inside = 0;
  for (int n = 0; n < kDrawings; ++n) {
    const GrayImage four = detail::WritingStyles::draw_closed_four(rng);
    ASSERT_EQ(four.width(), kInputSide);
    ASSERT_EQ(four.height(), kInputSide);
    const std::vector<bool> enclosed = enclosed_paper(four);
    with_paper_inside += std::count(enclosed.begin(), enclosed.end(), true) > 0;
    std::vector<int> widths;  // of the ink in each row with ink, top to bottom
    for (int y = 0; y < kInputSide; ++y) {
      int left = kInputSide, right = -1;
      for (int x = 0; x < kInputSide; ++x) {
        if (four.at(x, y) < 0.5f) continue;
        left = std::min(left, x);
        right = std::max(right, x);
      }
      if (right >= 0) widths.push_back(right - left + 1);
    }
    const auto bar = std::max_element(widths.begin(), widths.end());
    const auto rows = static_cast<double>(widths.size());
    EXPECT_LT((bar - widths.begin()) / rows, 0.75) << "drawing " << n << ": its widest row is low";
    EXPECT_GE((widths.end() - bar) / rows, 0.3) << "drawing " << n << ": its stem is short";
    for (auto below = bar + 3; below < widths.end(); ++below) {
      ASSERT_LE(*below, std::max(4, *bar / 2)) << "drawing " << n << ": ink beside the stem below the bar";
    }
  }
  EXPECT_GE(with_paper_inside, kDrawings * 6 / 10);
}

}  // namespace
}  // namespace digitlab
