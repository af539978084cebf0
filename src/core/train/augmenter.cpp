#include "train/augmenter.h"

#include <cmath>

namespace digitlab {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// Uniform samples in [-range, range] from the default generator of `options`' device.
torch::Tensor symmetric_uniform(int64_t n, double range, const torch::TensorOptions& options) {
  return (torch::rand({n}, options) * 2.0 - 1.0) * range;
}

}  // namespace

Augmenter::Augmenter(AugmentRanges ranges, AugmentRandom random) : ranges_(ranges), random_(random) {}

torch::Tensor Augmenter::affine_matrices(const torch::Tensor& angle_radians, const torch::Tensor& scale,
                                         const torch::Tensor& shift_x, const torch::Tensor& shift_y) {
  // affine_grid maps output coordinates to input coordinates, so a zoom by s samples the
  // input at 1/s of the output's offset from the centre.
  const auto cos_a = torch::cos(angle_radians) / scale;
  const auto sin_a = torch::sin(angle_radians) / scale;
  const auto row0 = torch::stack({cos_a, -sin_a, shift_x}, /*dim=*/1);
  const auto row1 = torch::stack({sin_a, cos_a, shift_y}, /*dim=*/1);
  return torch::stack({row0, row1}, /*dim=*/1);
}

torch::Tensor Augmenter::operator()(const torch::Tensor& x, double strength) const {
  TORCH_CHECK(x.dim() == 4, "Augmenter: expected an N x C x H x W batch, got ", x.sizes());
  const int64_t n = x.size(0);
  const auto draw = random_ == AugmentRandom::kCpu ? torch::TensorOptions(torch::kFloat)
                                                   : torch::TensorOptions(torch::kFloat).device(x.device());
  const auto angle = symmetric_uniform(n, strength * ranges_.rotation_degrees * kPi / 180.0, draw);
  const auto scale = 1.0 + symmetric_uniform(n, strength * ranges_.zoom, draw);
  // Normalized coordinates span 2 units per side, so a shift fraction f moves 2f units.
  const auto shift_x = symmetric_uniform(n, strength * ranges_.shift * 2.0, draw);
  const auto shift_y = symmetric_uniform(n, strength * ranges_.shift * 2.0, draw);
  const auto theta = affine_matrices(angle, scale, shift_x, shift_y).to(x.device(), x.scalar_type());

  namespace F = torch::nn::functional;
  const auto grid = F::affine_grid(theta, x.sizes(), /*align_corners=*/false);
  return F::grid_sample(
      x, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false));
}

}  // namespace digitlab
