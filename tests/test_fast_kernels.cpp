// The Predictor's fast-path kernels (src/core, internal) against LibTorch's own operations, on shapes
// DigitNet does not use too: odd sizes, pooling that drops a row, thread counts that split unevenly.
#include "kernels/batch_norm_relu.h"
#include "kernels/dense_layer.h"
#include "kernels/dropout_mask.h"
#include "kernels/input_conv3x3.h"
#include "kernels/simd_gemm.h"
#include "kernels/winograd_conv3x3.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

namespace digitlab {
namespace {

/// NHWC floats of an NCHW tensor.
std::vector<float> channels_last(const torch::Tensor& nchw) {
  const auto t = nchw.permute({0, 2, 3, 1}).contiguous();
  return {t.data_ptr<float>(), t.data_ptr<float>() + t.numel()};
}

double largest_difference(const std::vector<float>& ours, const torch::Tensor& expected_nchw) {
  const auto expected = channels_last(expected_nchw);
  EXPECT_EQ(ours.size(), expected.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(ours.size(), expected.size()); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(ours[i]) - expected[i]));
  }
  return worst;
}

struct ConvCase {
  int images, in, out, size;
  bool pool;
};

TEST(FastKernels, WinogradConvolutionMatchesLibTorch) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the Predictor uses TorchScript";
  torch::manual_seed(3);
  for (const ConvCase c : {ConvCase{2, 32, 32, 28, true}, ConvCase{1, 32, 64, 14, false},
                           ConvCase{3, 64, 128, 7, false}, ConvCase{1, 128, 128, 7, true}, ConvCase{5, 8, 16, 5, false},
                           ConvCase{5, 8, 16, 5, true}, ConvCase{1, 16, 32, 1, false}}) {
    const auto weight = torch::randn({c.out, c.in, 3, 3}) * 0.2;
    const auto bias = torch::randn({c.out}) * 0.5;
    const auto input = torch::randn({c.images, c.in, c.size, c.size});
    auto expected = torch::relu(torch::conv2d(input, weight, bias, /*stride=*/1, /*padding=*/1));
    if (c.pool) expected = torch::max_pool2d(expected, 2);
    const WinogradConv3x3 conv(weight.contiguous().data_ptr<float>(), bias.data_ptr<float>(), c.in, c.out);
    const auto in = channels_last(input);
    for (const int threads : {1, 2, 3}) {
      const auto work = conv.plan(c.images, c.size, c.size, c.pool, threads);
      std::vector<float> out(static_cast<size_t>(expected.numel()), -1.0f);
      // Parts run in any order, each on its own, as the threads would run them.
      for (int64_t part = work.parts() - 1; part >= 0; --part) conv.run(in.data(), work, part, part + 1, out.data());
      EXPECT_LE(largest_difference(out, expected), 1e-4)
          << c.images << " x " << c.in << " -> " << c.out << " at " << c.size << (c.pool ? " pooled" : "") << ", "
          << threads << " threads";
    }
  }
}

TEST(FastKernels, WinogradConvolutionOfNothingDoesNothing) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the Predictor uses TorchScript";
  const std::vector<float> weight(16 * 8 * 9, 0.5f), bias(16, 0.0f);
  const WinogradConv3x3 conv(weight.data(), bias.data(), 8, 16);
  EXPECT_EQ(conv.plan(0, 28, 28, false, 2).parts(), 0);  // no images
  EXPECT_EQ(conv.plan(3, 1, 1, true, 2).parts(), 0);     // a 1x1 image pools to nothing
}

TEST(FastKernels, InputConvolutionNormalizesAndPadsLikeTheModel) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the Predictor uses TorchScript";
  torch::manual_seed(4);
  const float mean = 0.1307f, std = 0.3081f;
  const auto weight = torch::randn({32, 1, 3, 3}) * 0.5;
  const auto bias = torch::randn({32}) * 0.5;
  const auto images = torch::rand({3, 1, 28, 28});
  const auto expected = torch::relu(torch::conv2d((images - mean) / std, weight, bias, 1, 1));
  const InputConv3x3 conv(weight.contiguous().data_ptr<float>(), bias.data_ptr<float>(), 32, mean, std);
  for (const int threads : {1, 4}) {
    std::vector<float> out(static_cast<size_t>(expected.numel()), -1.0f);
    const int64_t parts = conv.parts(3, threads);
    for (int64_t part = 0; part < parts; ++part)
      conv.run(images.data_ptr<float>(), 3, 28, 28, threads, part, part + 1, out.data());
    EXPECT_LE(largest_difference(out, expected), 1e-4) << threads << " threads";
  }
}

TEST(FastKernels, DenseLayerMatchesLibTorch) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the Predictor uses TorchScript";
  torch::manual_seed(5);
  for (const int out_features : {10, 16, 37}) {
    for (const int rows : {1, 7, 70}) {
      const auto weight = torch::randn({out_features, 45});
      const auto bias = torch::randn({out_features});
      const auto x = torch::randn({rows, 45});
      for (const bool relu : {false, true}) {
        auto expected = torch::linear(x, weight, bias);
        if (relu) expected = torch::relu(expected);
        const DenseLayer layer(weight.data_ptr<float>(), bias.data_ptr<float>(), 45, out_features, relu);
        std::vector<float> y(static_cast<size_t>(rows) * out_features, -1.0f);
        layer.run(x.data_ptr<float>(), rows, 0, layer.parts(), y.data());
        const auto got = torch::from_blob(y.data(), {rows, out_features});
        EXPECT_LE((got - expected).abs().max().item<double>(), 1e-4)
            << rows << " x 45 -> " << out_features << (relu ? " with ReLU" : "");
      }
    }
  }
}

TEST(FastKernels, DropoutMaskDropsTheRightShareAndRepeatsForASeed) {
  const int64_t n = 200003;  // not a multiple of the parts
  for (const double p : {0.25, 0.5}) {
    std::vector<float> one(n), two(n), other(n);
    fill_dropout_mask(one.data(), n, 42, p, 1);
    fill_dropout_mask(two.data(), n, 42, p, 3);
    fill_dropout_mask(other.data(), n, 43, p, 2);
    EXPECT_EQ(one, two) << "the thread count changed the mask";
    EXPECT_NE(one, other) << "another seed gave the same mask";
    int64_t dropped = 0;
    for (const float m : one) {
      ASSERT_TRUE(m == 0.0f || std::abs(m - 1.0 / (1.0 - p)) < 1e-6) << m;
      dropped += m == 0.0f;
    }
    // Binomial(n, p): the standard deviation is under 230 here.
    EXPECT_NEAR(static_cast<double>(dropped), p * n, 1500.0) << "p = " << p;
  }
}

TEST(FastKernels, BatchNormReluGivesLibTorchsValuesAndGradients) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's batch norm";
  torch::manual_seed(7);
  const int64_t n = 6, channels = 5, h = 7, w = 7;
  const auto input = torch::randn({n, channels, h, w}) * 2 + 0.5;
  const auto gamma = torch::rand({channels}) + 0.5;
  const auto beta = torch::randn({channels});
  const auto grad = torch::randn({n, channels, h, w});
  const double eps = 1e-5;

  auto x = input.clone().requires_grad_(true);
  auto g = gamma.clone().requires_grad_(true);
  auto b = beta.clone().requires_grad_(true);
  const auto expected = torch::relu(torch::batch_norm(x, g, b, {}, {}, /*training=*/true, 0.1, eps, false));
  expected.backward(grad);

  std::vector<float> y(input.numel()), mean(channels), var(channels);
  batch_norm_relu_forward(input.data_ptr<float>(), n, channels, h * w, gamma.data_ptr<float>(), beta.data_ptr<float>(),
                          eps, y.data(), mean.data(), var.data(), 3);
  const auto ours = torch::from_blob(y.data(), input.sizes());
  EXPECT_LE((ours - expected).abs().max().item<double>(), 1e-5);
  EXPECT_TRUE(torch::allclose(torch::from_blob(var.data(), {channels}), input.var({0, 2, 3}, /*unbiased=*/false)));

  std::vector<float> grad_x(input.numel()), grad_gamma(channels), grad_beta(channels);
  batch_norm_relu_backward(grad.data_ptr<float>(), input.data_ptr<float>(), y.data(), n, channels, h * w,
                           gamma.data_ptr<float>(), mean.data(), var.data(), eps, grad_x.data(), grad_gamma.data(),
                           grad_beta.data(), 2);
  EXPECT_LE((torch::from_blob(grad_x.data(), input.sizes()) - x.grad()).abs().max().item<double>(), 1e-5);
  EXPECT_LE((torch::from_blob(grad_gamma.data(), {channels}) - g.grad()).abs().max().item<double>(), 1e-4);
  EXPECT_LE((torch::from_blob(grad_beta.data(), {channels}) - b.grad()).abs().max().item<double>(), 1e-4);
}

}  // namespace
}  // namespace digitlab
