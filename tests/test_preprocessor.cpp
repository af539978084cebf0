#include <digitlab/preprocessor.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "image_fixtures.h"

using digitlab::GrayImage;
using digitlab::preprocess;
using digitlab::PreprocessResult;
using digitlab::testing::mean_abs_difference;
namespace fx = digitlab::testing;

namespace {

struct Box {
  int x0 = 0, y0 = 0, x1 = -1, y1 = -1;
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
};

// Bounding box of the pixels above `level`.
Box ink_box(const GrayImage& image, float level = 0.0f) {
  Box box{image.width(), image.height(), -1, -1};
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      if (image.at(x, y) <= level) continue;
      box.x0 = std::min(box.x0, x);
      box.x1 = std::max(box.x1, x);
      box.y0 = std::min(box.y0, y);
      box.y1 = std::max(box.y1, y);
    }
  }
  return box;
}

// Centre of mass in pixel-index coordinates (MNIST's convention: (14, 14) is the centre).
std::pair<double, double> centre_of_mass(const GrayImage& image) {
  double mass = 0.0, mx = 0.0, my = 0.0;
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      mass += image.at(x, y);
      mx += image.at(x, y) * x;
      my += image.at(x, y) * y;
    }
  }
  return {mx / mass, my / mass};
}

// Stroke width of the pixels >= 0.5: twice their area over their outline length.
double stroke_width(const GrayImage& image) {
  double area = 0.0, edges = 0.0;
  const auto on = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < image.width() && y < image.height() && image.at(x, y) >= 0.5f;
  };
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      if (!on(x, y)) continue;
      area += 1.0;
      edges += !on(x - 1, y) + !on(x + 1, y) + !on(x, y - 1) + !on(x, y + 1);
    }
  }
  return 2.0 * area / (edges * 3.14159265 / 4.0);
}

GrayImage inverted(GrayImage image) {
  for (size_t i = 0; i < image.size(); ++i) image.data()[i] = 1.0f - image.data()[i];
  return image;
}

// Light grey paper lit from the left (0.85 down to 0.55) with camera noise, a dark pen "2" on it.
GrayImage photo_of_two(int width, int height) {
  GrayImage image(width, height);
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.015f);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) image.at(x, y) = 0.85f - 0.3f * x / width - 0.05f * y / height + noise(rng);
  }
  fx::draw_two(image, 0.3f * width, 0.2f * height, 0.6f * height, 0.04f * height, 0.2f);
  return image;
}

void expect_mnist_like(const PreprocessResult& r) {
  ASSERT_TRUE(r.found) << r.reason;
  ASSERT_EQ(r.input28.width(), 28);
  ASSERT_EQ(r.input28.height(), 28);
  const Box box = ink_box(r.input28);
  EXPECT_EQ(std::max(box.width(), box.height()), 20) << "the digit should fill a 20x20 box like MNIST";
  const auto [cx, cy] = centre_of_mass(r.input28);
  EXPECT_NEAR(cx, 14.0, 0.5);
  EXPECT_NEAR(cy, 14.0, 0.5);
  float peak = 0.0f;
  int soft = 0;
  for (float v : r.input28.pixels()) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LE(v, 1.0f);
    peak = std::max(peak, v);
    soft += v > 0.1f && v < 0.9f;
  }
  EXPECT_FLOAT_EQ(peak, 1.0f);
  EXPECT_GT(soft, 10) << "stroke edges should be anti-aliased, not a hard binary";
}

}  // namespace

TEST(Preprocessor, DarkDigitOnShadedPaperBecomesWhiteOnBlackMnistInput) {
  const PreprocessResult r = preprocess(photo_of_two(400, 300));
  expect_mnist_like(r);
  EXPECT_EQ(r.input28.at(0, 0), 0.0f) << "paper must come out black";
  EXPECT_EQ(r.input28.at(27, 27), 0.0f);
  // The whole shading gradient is paper: nothing but the digit is kept.
  EXPECT_NEAR(r.box.x, 0.3 * 400 + 0.2 * 180 - 6, 10);
  EXPECT_NEAR(r.box.height, 0.9 * 180 + 6, 12);
}

TEST(Preprocessor, PolarityDoesNotMatter) {
  const GrayImage photo = photo_of_two(400, 300);
  const PreprocessResult dark = preprocess(photo);
  const PreprocessResult light = preprocess(inverted(photo));
  ASSERT_TRUE(dark.found);
  ASSERT_TRUE(light.found);
  EXPECT_LT(mean_abs_difference(dark.input28, light.input28), 0.03);
}

TEST(Preprocessor, ThickStrokesFillingASmallImageKeepTheirPolarityAndStaySolid) {
  // A bold 0 filling a 36x40 crop (62% of it is ink, so ink is not the rarer tone), in both polarities: the ring
  // is ink, its hole and the corners are paper.
  GrayImage crop(36, 40, 1.0f);
  fx::draw_zero(crop, -1.0f, 1.0f, 38, 10.0f, 0.0f);
  for (const GrayImage& image : {crop, inverted(crop)}) {
    const PreprocessResult r = preprocess(image);
    ASSERT_TRUE(r.found);
    EXPECT_LT(r.input28.at(14, 14), 0.1f) << "the hole of the 0 must stay dark";
    EXPECT_GT(r.input28.at(14, 6), 0.9f) << "the top of the ring must be solid ink, not hollowed";
    EXPECT_LT(r.input28.at(2, 2), 0.1f);
  }
  // A bar of a 1 half as wide as its image must not be hollowed out by the lighting correction.
  GrayImage one(24, 60, 0.95f);
  fx::draw_stroke(one, 12, 6, 12, 54, 12.0f, 0.1f);
  const PreprocessResult r = preprocess(one);
  ASSERT_TRUE(r.found);
  EXPECT_GT(r.input28.at(14, 14), 0.9f);
  EXPECT_EQ(ink_box(r.input28).height(), 20);
}

TEST(Preprocessor, ThinStrokesAreThickenedNeverThinned) {
  GrayImage canvas(300, 300, 1.0f);
  fx::draw_two(canvas, 60, 40, 220, 1.5f, 0.0f);
  const PreprocessResult thickened = preprocess(canvas);
  digitlab::PreprocessOptions off;
  off.min_stroke_width = 0.0f;
  const PreprocessResult raw = preprocess(canvas, off);
  ASSERT_TRUE(thickened.found);
  ASSERT_TRUE(raw.found);
  EXPECT_LT(stroke_width(raw.input28), 1.5) << "the drawing is thin at the 20-pixel scale";
  EXPECT_GT(stroke_width(thickened.input28), 2.0) << "thin strokes should reach MNIST's width";
  expect_mnist_like(thickened);

  // A marker-thick drawing is left as it is.
  GrayImage bold(300, 300, 1.0f);
  fx::draw_two(bold, 60, 40, 220, 40.0f, 0.0f);
  const PreprocessResult a = preprocess(bold);
  const PreprocessResult b = preprocess(bold, off);
  EXPECT_GT(stroke_width(a.input28), 2.5);
  EXPECT_LT(mean_abs_difference(a.input28, b.input28), 1e-6);
}

TEST(Preprocessor, BlankInputsFindNoDigit) {
  const GrayImage black(280, 280, 0.0f);
  const GrayImage white(280, 280, 1.0f);
  for (const GrayImage& image : {black, white}) {
    const PreprocessResult r = preprocess(image);
    EXPECT_FALSE(r.found);
    EXPECT_EQ(r.reason, "no digit found");
  }
  // A photo of plain paper: shading, a soft shadow and noise, but no ink.
  GrayImage paper(640, 480);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.02f);
  for (int y = 0; y < 480; ++y) {
    for (int x = 0; x < 640; ++x) {
      const float shadow = 0.12f * std::exp(-((x - 450.0f) * (x - 450.0f) + (y - 300.0f) * (y - 300.0f)) / 20000.0f);
      paper.at(x, y) = 0.8f - 0.2f * x / 640.0f - shadow + noise(rng);
    }
  }
  const PreprocessResult r = preprocess(paper);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.reason, "no digit found");
  EXPECT_FALSE(r.grayscale.empty()) << "the working image is still there to show";
}

TEST(Preprocessor, ASpeckOnACanvasIsNotADigit) {
  GrayImage canvas(280, 280, 0.0f);
  fx::draw_stroke(canvas, 140, 140, 141, 140, 3.0f, 1.0f);
  EXPECT_FALSE(preprocess(canvas).found);
}

TEST(Preprocessor, EmptyImageSaysSo) {
  const PreprocessResult r = preprocess(GrayImage());
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.reason, "empty image");
  EXPECT_TRUE(digitlab::preprocess_multi(GrayImage()).empty());
}

TEST(Preprocessor, SmallOffCentreDrawingIsCentredAndScaled) {
  GrayImage centred(280, 280, 0.0f);
  fx::draw_two(centred, 100, 100, 80, 8.0f, 1.0f);
  GrayImage corner(280, 280, 0.0f);
  fx::draw_two(corner, 10, 10, 80, 8.0f, 1.0f);
  const PreprocessResult a = preprocess(centred);
  const PreprocessResult b = preprocess(corner);
  expect_mnist_like(b);
  EXPECT_LT(mean_abs_difference(a.input28, b.input28), 0.02);
  EXPECT_LE(b.box.x, 24);
  EXPECT_LE(b.box.y, 16);
}

TEST(Preprocessor, TinyDigitOnAHugeCanvasIsFound) {
  GrayImage canvas(2400, 1800, 1.0f);
  fx::draw_two(canvas, 1500, 300, 120, 10.0f, 0.0f);
  const PreprocessResult r = preprocess(canvas);
  expect_mnist_like(r);
  EXPECT_NEAR(r.box.x, 1500 + 0.2 * 120 - 5, 8);
  EXPECT_NEAR(r.box.height, 0.9 * 120 + 10, 10);
  // The same digit drawn large gives the same input.
  GrayImage large(600, 600, 1.0f);
  fx::draw_two(large, 60, 60, 480, 40.0f, 0.0f);
  EXPECT_LT(mean_abs_difference(r.input28, preprocess(large).input28), 0.04);
}

TEST(Preprocessor, RuledLinesAndPaperEdgesAreNotPartOfTheDigit) {
  GrayImage page(400, 300, 0.85f);
  for (int y = 20; y < 300; y += 40) fx::draw_stroke(page, 0, y, 400, y, 3.0f, 0.45f);  // ruled lines
  for (int y = 0; y < 300; ++y) {
    for (int x = 0; x < 30; ++x) page.at(x, y) = 0.15f;  // the desk beside the sheet
  }
  fx::draw_two(page, 160, 60, 160, 8.0f, 0.1f);
  const PreprocessResult r = preprocess(page);
  expect_mnist_like(r);
  EXPECT_GE(r.box.x, 160);
  EXPECT_LE(r.box.x + r.box.width, 320);
  EXPECT_LE(r.box.height, 170);
}

TEST(Preprocessor, SheetLyingOnADeskIsThePaper) {
  // A photo of a sheet with a dark desk showing all around it, the sheet lit unevenly.
  GrayImage photo(480, 360, 0.12f);
  for (int y = 40; y < 330; ++y) {
    for (int x = 50; x < 420; ++x) photo.at(x, y) = 0.85f - 0.2f * x / 480.0f;
  }
  fx::draw_two(photo, 170, 90, 180, 6.0f, 0.15f);
  const PreprocessResult r = preprocess(photo);
  expect_mnist_like(r);
  EXPECT_GE(r.box.x, 180);
  EXPECT_LE(r.box.x + r.box.width, 340);
  EXPECT_LE(r.box.height, 180);
  EXPECT_LT(r.input28.at(2, 2), 0.01f);
}

TEST(Preprocessor, MultiDigitModeReadsLeftToRight) {
  GrayImage canvas(520, 160, 0.0f);
  fx::draw_two(canvas, 20, 20, 110, 9.0f, 1.0f);
  fx::draw_zero(canvas, 140, 20, 110, 9.0f, 1.0f);
  fx::draw_two(canvas, 260, 20, 110, 9.0f, 1.0f);
  fx::draw_six(canvas, 380, 20, 110, 9.0f, 1.0f);
  const std::vector<PreprocessResult> digits = digitlab::preprocess_multi(canvas);
  ASSERT_EQ(digits.size(), 4u);
  for (size_t i = 0; i < digits.size(); ++i) {
    expect_mnist_like(digits[i]);
    if (i > 0) {
      EXPECT_GT(digits[i].box.x, digits[i - 1].box.x + digits[i - 1].box.width - 4);
    }
  }
  EXPECT_LT(digits[1].input28.at(14, 14), 0.1f) << "the second digit is the 0";
  EXPECT_LT(mean_abs_difference(digits[0].input28, digits[2].input28), 0.02) << "both 2s look the same";
  const std::vector<digitlab::DigitBox> boxes = digitlab::segment_digits(canvas);
  ASSERT_EQ(boxes.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(boxes[i].x, digits[i].box.x);
}

TEST(Preprocessor, DigitsWrittenInTwoStrokesStayOneDigit) {
  // A 4 written with the pen lifted where the stem crosses the bar, and a 5 whose top bar does not touch its body.
  const auto draw_four = [](GrayImage& image) {
    fx::draw_stroke(image, 60, 30, 30, 120, 9.0f, 1.0f);
    fx::draw_stroke(image, 30, 120, 130, 120, 9.0f, 1.0f);
    fx::draw_stroke(image, 105, 50, 105, 110, 9.0f, 1.0f);
    fx::draw_stroke(image, 105, 130, 105, 180, 9.0f, 1.0f);
  };
  GrayImage canvas(400, 200, 0.0f);
  draw_four(canvas);
  fx::draw_stroke(canvas, 245, 40, 330, 40, 9.0f, 1.0f);
  fx::draw_stroke(canvas, 245, 55, 242, 100, 9.0f, 1.0f);
  for (int i = 0; i < 12; ++i) {
    const float a0 = -1.9f + 3.6f * i / 12, a1 = -1.9f + 3.6f * (i + 1) / 12;
    fx::draw_stroke(canvas, 280 + 45 * std::cos(a0), 135 + 45 * std::sin(a0), 280 + 45 * std::cos(a1),
                    135 + 45 * std::sin(a1), 9.0f, 1.0f);
  }
  const std::vector<PreprocessResult> digits = digitlab::preprocess_multi(canvas);
  ASSERT_EQ(digits.size(), 2u);
  EXPECT_GE(digits[0].box.height, 150) << "the 4 spans all its strokes";
  EXPECT_GE(digits[1].box.height, 140) << "the 5 includes its top bar";

  GrayImage four(200, 200, 0.0f);
  draw_four(four);
  const PreprocessResult single = preprocess(four);
  ASSERT_TRUE(single.found);
  EXPECT_GE(single.box.height, 150);
}

TEST(Preprocessor, OddPixelValuesNeverBreakIt) {
  GrayImage image(64, 64, 0.5f);
  fx::draw_two(image, 10, 10, 44, 5.0f, 1.0f);
  image.at(0, 0) = std::numeric_limits<float>::quiet_NaN();
  image.at(1, 0) = std::numeric_limits<float>::infinity();
  image.at(2, 0) = -5.0f;
  image.at(3, 0) = 7.0f;
  const PreprocessResult r = preprocess(image);
  ASSERT_TRUE(r.found);
  for (float v : r.input28.pixels()) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LE(v, 1.0f);
  }
  EXPECT_NO_THROW(digitlab::preprocess_multi(GrayImage(1, 1, 0.3f)));
  EXPECT_NO_THROW(preprocess(GrayImage(5000, 1, 0.3f)));
}

TEST(Preprocessor, KnownPolarityCanBeGiven) {
  // A canvas that knows it draws white on black may say so; the result matches the detected one.
  GrayImage canvas(280, 280, 0.0f);
  fx::draw_two(canvas, 60, 50, 170, 16.0f, 1.0f);
  digitlab::PreprocessOptions options;
  options.polarity = digitlab::InkPolarity::kLightOnDark;
  const PreprocessResult told = preprocess(canvas, options);
  const PreprocessResult detected = preprocess(canvas);
  ASSERT_TRUE(told.found);
  EXPECT_LT(mean_abs_difference(told.input28, detected.input28), 1e-6);
}
