#include "train/augmenter.h"

#include <gtest/gtest.h>

namespace digitlab {
namespace {

/// A batch of 28x28 images, each a bright 6x6 square near the centre.
torch::Tensor squares(int64_t n) {
  auto x = torch::zeros({n, 1, 28, 28});
  x.slice(2, 11, 17).slice(3, 11, 17).fill_(1.0);
  return x;
}

/// Column of the centre of mass of each image.
torch::Tensor centre_x(const torch::Tensor& x) {
  const auto cols = torch::arange(28, torch::kFloat).view({1, 1, 1, 28});
  return (x * cols).sum({1, 2, 3}) / x.sum({1, 2, 3});
}

TEST(Augmenter, KeepsShapeAndPixelRange) {
  torch::manual_seed(1);
  const auto x = torch::rand({16, 1, 28, 28});
  const auto out = Augmenter()(x);
  EXPECT_EQ(out.sizes(), x.sizes());
  EXPECT_GE(out.min().item<float>(), -1e-6f);
  EXPECT_LE(out.max().item<float>(), 1.0f + 1e-6f);
}

TEST(Augmenter, IsTheIdentityAtZeroStrength) {
  torch::manual_seed(2);
  const auto x = torch::rand({8, 1, 28, 28});
  EXPECT_TRUE(torch::allclose(Augmenter()(x, 0.0), x, 1e-5, 1e-5));
}

TEST(Augmenter, ChangesEveryImageAtFullStrength) {
  torch::manual_seed(3);
  const auto x = squares(32);
  const auto diff = (Augmenter()(x) - x).abs().amax({1, 2, 3});
  EXPECT_GT(diff.min().item<float>(), 0.05f);
}

TEST(Augmenter, ShiftsStayWithinTenPercent) {
  torch::manual_seed(4);
  const auto x = squares(256);
  AugmentRanges shift_only;
  shift_only.rotation_degrees = 0;
  shift_only.zoom = 0;
  const auto moved = centre_x(Augmenter(shift_only)(x)) - centre_x(x);
  // 10% of 28 px is 2.8 px; the samples should spread over most of that range.
  EXPECT_LE(moved.abs().max().item<float>(), 2.8f + 0.05f);
  EXPECT_GT(moved.abs().max().item<float>(), 2.0f);
}

TEST(Augmenter, ShiftMatrixMovesContentTheExpectedWay) {
  // Output pixel x samples input x + shift: a positive shift moves the content left.
  const auto zero = torch::zeros({1});
  const auto theta = Augmenter::affine_matrices(zero, torch::ones({1}), torch::full({1}, 0.5f), zero);
  const auto x = squares(1);
  namespace F = torch::nn::functional;
  const auto grid = F::affine_grid(theta, x.sizes(), false);
  const auto out = F::grid_sample(x, grid, F::GridSampleFuncOptions().align_corners(false));
  EXPECT_NEAR((centre_x(out) - centre_x(x)).item<float>(), -7.0f, 0.1f);  // 0.5 units = 7 px of 28
}

TEST(Augmenter, RepeatsWithTheSameSeed) {
  const auto x = squares(4);
  torch::manual_seed(5);
  const auto a = Augmenter()(x);
  torch::manual_seed(5);
  const auto b = Augmenter()(x);
  EXPECT_TRUE(torch::equal(a, b));
}

}  // namespace
}  // namespace digitlab
