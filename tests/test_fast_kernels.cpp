// The Predictor's fast-path kernels and the trainer's (src/core, internal) against LibTorch's own operations, on
// shapes DigitNet does not use too: odd sizes, pooling that drops a row, thread counts that split unevenly.
#include "kernels/batch_norm_relu.h"
#include "kernels/batch_norm_relu_channels_last.h"
#include "kernels/bfloat16.h"
#include "kernels/dense_layer.h"
#include "kernels/dropout_mask.h"
#include "kernels/input_conv3x3.h"
#include "kernels/max_pool_dropout.h"
#include "kernels/simd_gemm.h"
#include "kernels/winograd_conv3x3.h"
#include "model/training_ops.h"
#include "runtime/torch_compat.h"

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

/// Rounds floats to bfloat16 and reads them back eight at a time, as the kernels do (n a multiple of 8).
DIGITLAB_SIMD_TARGET void round_eight_at_a_time(const float* in, int64_t n, BFloat16Bits* out, float* back) {
  for (int64_t i = 0; i < n; i += 8) {
    simd::store8(out + i, simd::load8(in + i));
    simd::store8(back + i, simd::load8(out + i));
  }
}

/// A bfloat16 tensor's elements as the kernels see them.
BFloat16Bits* bits_of(const torch::Tensor& t) { return reinterpret_cast<BFloat16Bits*>(t.data_ptr<at::BFloat16>()); }

TEST(FastKernels, BFloat16RoundsAsLibTorch) {
  torch::manual_seed(3);
  // Random values over many magnitudes, ties between two bfloat16 values (both parities), and the special ones.
  auto values = torch::cat({torch::tensor({1.00390625f, 1.01171875f, -1.00390625f, 3.3895314e38f, 1e-40f, 0.0f, -0.0f,
                                           INFINITY, -INFINITY, NAN}),
                            torch::randn({4000}) * torch::exp(torch::randn({4000}) * 8)});
  values = values.contiguous();
  const auto expected = values.to(torch::kBFloat16);
  const float* v = values.data_ptr<float>();
  const BFloat16Bits* want = bits_of(expected);
  for (int64_t i = 0; i < values.numel(); ++i) {
    if (std::isnan(v[i])) {
      EXPECT_TRUE(std::isnan(to_float(to_bfloat16(v[i]))));
      continue;
    }
    ASSERT_EQ(to_bfloat16(v[i]), want[i]) << "rounding " << v[i];
    ASSERT_EQ(to_float(want[i]), expected[i].item<float>());
  }
  if (!simd::available()) return;
  // Eight at a time, as the kernels read and write them.
  const int64_t n = values.numel() / 8 * 8;
  std::vector<BFloat16Bits> stored(static_cast<size_t>(n));
  std::vector<float> back(static_cast<size_t>(n));
  round_eight_at_a_time(v, n, stored.data(), back.data());
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(v[i])) {
      EXPECT_TRUE(std::isnan(back[i]));
      continue;
    }
    ASSERT_EQ(stored[i], want[i]) << "eight at a time, rounding " << v[i];
    ASSERT_EQ(back[i], to_float(want[i]));
  }
}

TEST(FastKernels, BatchNormReluInBFloat16GivesLibTorchsValuesAndGradients) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's batch norm";
  torch::manual_seed(8);
  const int64_t n = 5, channels = 3, h = 9, w = 7;  // hw = 63: a tail after the eight-wide loop
  const auto input = (torch::randn({n, channels, h, w}) * 3 - 1).to(torch::kBFloat16);
  const auto gamma = torch::rand({channels}) + 0.5;
  const auto beta = torch::randn({channels});
  const auto grad = torch::randn({n, channels, h, w}).to(torch::kBFloat16);
  const double eps = 1e-5;

  // LibTorch in float on the same bfloat16 values.
  auto x = input.to(torch::kFloat).requires_grad_(true);
  const auto expected = torch::relu(torch::batch_norm(x, gamma, beta, {}, {}, /*training=*/true, 0.1, eps, false));
  expected.backward(grad.to(torch::kFloat));

  auto y = torch::empty_like(input);
  std::vector<float> mean(channels), var(channels);
  batch_norm_relu_forward(bits_of(input), n, channels, h * w, gamma.data_ptr<float>(), beta.data_ptr<float>(), eps,
                          bits_of(y), mean.data(), var.data(), 2);
  // One rounding to bfloat16: within half a unit in the last place (2^-8 relative).
  const auto ours = y.to(torch::kFloat);
  EXPECT_LE(((ours - expected) / (expected.abs() + 1e-3)).abs().max().item<double>(), 1.0 / 256);
  // Computed in float as LibTorch computes it, most values round to the same bfloat16.
  const auto rounded = expected.to(torch::kBFloat16).to(torch::kFloat);
  EXPECT_LT((ours != rounded).sum().item<int64_t>(), input.numel() / 50) << "values rounded the other way";

  auto grad_x = torch::empty_like(input);
  std::vector<float> grad_gamma(channels), grad_beta(channels);
  batch_norm_relu_backward(bits_of(grad), bits_of(input), bits_of(y), n, channels, h * w, gamma.data_ptr<float>(),
                           mean.data(), var.data(), eps, bits_of(grad_x), grad_gamma.data(), grad_beta.data(), 3);
  const auto want = x.grad();
  EXPECT_LE((grad_x.to(torch::kFloat) - want).abs().max().item<double>(),
            want.abs().max().item<double>() / 128);
}

/// DigitNet's pooling and dropout as LibTorch computes them: max_pool2d(x, 2) times fill_dropout_mask's mask.
torch::Tensor reference_pool_dropout(const torch::Tensor& x, uint64_t seed, double p) {
  auto pooled = torch::max_pool2d(x, 2);
  if (p == 0) return pooled;
  auto mask = torch::empty(pooled.sizes());
  fill_dropout_mask(mask.data_ptr<float>(), mask.numel(), seed, p, 1);
  return pooled * mask;
}

TEST(FastKernels, MaxPoolWithDropoutGivesLibTorchsValuesAndGradients) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's pooling";
  torch::manual_seed(9);
  struct Case {
    int64_t n, c, h, w;
    double p;
  };
  // Odd sizes leave a row or a column out, as DigitNet's 7 x 7 block does.
  for (const Case k : {Case{3, 4, 28, 28, 0.25}, Case{2, 5, 7, 7, 0.5}, Case{1, 2, 6, 9, 0.0}, Case{4, 3, 5, 2, 0.25}}) {
    const auto input = torch::randn({k.n, k.c, k.h, k.w});
    const auto grad = torch::randn({k.n, k.c, k.h / 2, k.w / 2});
    const uint64_t seed = 1234;
    auto x = input.clone().requires_grad_(true);
    const auto expected = reference_pool_dropout(x, seed, k.p);
    expected.backward(grad);

    const PoolShape shape{k.n * k.c, k.h, k.w};
    auto y = torch::empty_like(expected);
    std::vector<uint8_t> which(static_cast<size_t>(shape.outputs()));
    max_pool_dropout_forward(input.data_ptr<float>(), shape, DropoutMask(seed, k.p), y.data_ptr<float>(), which.data(),
                             2);
    EXPECT_TRUE(torch::equal(y, expected)) << k.h << " x " << k.w << ", p = " << k.p;
    // Poison the gradient first: every element must be written, the rows and columns pooling left out too.
    auto grad_x = torch::full_like(input, NAN);
    max_pool_dropout_backward(grad.data_ptr<float>(), which.data(), shape, DropoutMask(seed, k.p),
                              grad_x.data_ptr<float>(), 3);
    EXPECT_TRUE(torch::equal(grad_x, x.grad())) << k.h << " x " << k.w << ", p = " << k.p;
  }
}

TEST(FastKernels, MaxPoolWithDropoutInBFloat16KeepsTheValuesAsTheyAre) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's pooling";
  torch::manual_seed(10);
  const auto input = torch::randn({2, 3, 14, 14}).to(torch::kBFloat16);
  const auto grad = torch::randn({2, 3, 7, 7}).to(torch::kBFloat16);
  const uint64_t seed = 77;
  auto x = input.to(torch::kFloat).requires_grad_(true);
  const auto expected = reference_pool_dropout(x, seed, 0.25);
  expected.backward(grad.to(torch::kFloat));

  const PoolShape shape{6, 14, 14};
  auto y = torch::empty({2, 3, 7, 7}, torch::kBFloat16);
  std::vector<uint8_t> which(static_cast<size_t>(shape.outputs()));
  max_pool_dropout_forward(bits_of(input), shape, DropoutMask(seed, 0.25), bits_of(y), which.data(), 2);
  // The max is one of the inputs; only the dropout factor rounds, once.
  EXPECT_TRUE(torch::equal(y, expected.to(torch::kBFloat16)));
  auto grad_x = torch::empty_like(input);
  max_pool_dropout_backward(bits_of(grad), which.data(), shape, DropoutMask(seed, 0.25), bits_of(grad_x), 1);
  EXPECT_TRUE(torch::equal(grad_x, x.grad().to(torch::kBFloat16)));
}

/// An NCHW tensor's values in NHWC order (channels-last memory), as a contiguous NHWC tensor.
torch::Tensor nhwc(const torch::Tensor& nchw) { return nchw.permute({0, 2, 3, 1}).contiguous(); }

TEST(FastKernels, ChannelsLastBatchNormReluGivesLibTorchsValuesAndGradients) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's batch norm";
  torch::manual_seed(12);
  // 12 channels: a tail after eight; 9 x 9 x 3 = 243 rows: chunks of 64 and a short last one.
  const int64_t n = 3, channels = 12, h = 9, w = 9, rows = n * h * w;
  const auto input = torch::randn({n, channels, h, w}) * 2 + 0.3;
  const auto gamma = torch::rand({channels}) + 0.5;
  const auto beta = torch::randn({channels});
  const auto grad = torch::randn({n, channels, h, w});
  const double eps = 1e-5;
  auto x = input.clone().requires_grad_(true);
  const auto expected = torch::relu(torch::batch_norm(x, gamma, beta, {}, {}, /*training=*/true, 0.1, eps, false));
  expected.backward(grad);

  const auto in = nhwc(input), g = nhwc(grad);
  for (const int threads : {1, 3}) {
    auto y = torch::empty_like(in), grad_x = torch::empty_like(in);
    std::vector<float> mean(channels), var(channels), grad_gamma(channels), grad_beta(channels);
    batch_norm_relu_forward_channels_last(in.data_ptr<float>(), rows, channels, gamma.data_ptr<float>(),
                                          beta.data_ptr<float>(), eps, y.data_ptr<float>(), mean.data(), var.data(),
                                          threads);
    EXPECT_LE((y - nhwc(expected)).abs().max().item<double>(), 1e-5) << threads << " threads";
    batch_norm_relu_backward_channels_last(g.data_ptr<float>(), in.data_ptr<float>(), y.data_ptr<float>(), rows,
                                           channels, gamma.data_ptr<float>(), mean.data(), var.data(), eps,
                                           grad_x.data_ptr<float>(), grad_gamma.data(), grad_beta.data(), threads);
    EXPECT_LE((grad_x - nhwc(x.grad())).abs().max().item<double>(), 1e-5) << threads << " threads";
    EXPECT_LE((torch::from_blob(grad_beta.data(), {channels}) - grad.mul(expected > 0).sum({0, 2, 3}))
                  .abs()
                  .max()
                  .item<double>(),
              1e-4);
  }

  // bfloat16, against the float answer on the same values.
  const auto in16 = in.to(torch::kBFloat16);
  auto x16 = input.to(torch::kBFloat16).to(torch::kFloat).requires_grad_(true);
  const auto expected16 =
      torch::relu(torch::batch_norm(x16, gamma, beta, {}, {}, /*training=*/true, 0.1, eps, false));
  auto y16 = torch::empty_like(in16);
  std::vector<float> mean(channels), var(channels);
  batch_norm_relu_forward_channels_last(bits_of(in16), rows, channels, gamma.data_ptr<float>(),
                                        beta.data_ptr<float>(), eps, bits_of(y16), mean.data(), var.data(), 2);
  const auto want = nhwc(expected16);
  EXPECT_LE(((y16.to(torch::kFloat) - want) / (want.abs() + 1e-3)).abs().max().item<double>(), 1.0 / 256);
}

/// reference_pool_dropout in NHWC order: the mask's elements follow the output's NHWC memory.
torch::Tensor reference_pool_dropout_nhwc(const torch::Tensor& x, uint64_t seed, double p) {
  auto pooled = torch::max_pool2d(x, 2).permute({0, 2, 3, 1});
  auto mask = torch::empty(pooled.sizes());
  fill_dropout_mask(mask.data_ptr<float>(), mask.numel(), seed, p, 1);
  return pooled * mask;
}

TEST(FastKernels, ChannelsLastMaxPoolWithDropoutGivesLibTorchsValuesAndGradients) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's pooling";
  torch::manual_seed(13);
  struct Case {
    int64_t n, c, h, w;
    double p;
  };
  for (const Case k : {Case{2, 16, 28, 28, 0.25}, Case{3, 8, 7, 7, 0.5}, Case{2, 5, 5, 6, 0.0}}) {
    const auto input = torch::randn({k.n, k.c, k.h, k.w});
    const auto grad = torch::randn({k.n, k.h / 2, k.w / 2, k.c});  // NHWC
    const uint64_t seed = 99;
    auto x = input.clone().requires_grad_(true);
    const auto expected = reference_pool_dropout_nhwc(x, seed, k.p);
    expected.backward(grad);

    const auto in = nhwc(input);
    const PoolShape shape{k.n, k.h, k.w};
    auto y = torch::empty({k.n, k.h / 2, k.w / 2, k.c});
    std::vector<uint8_t> which(static_cast<size_t>(y.numel()));
    max_pool_dropout_forward_channels_last(in.data_ptr<float>(), shape, k.c, DropoutMask(seed, k.p),
                                           y.data_ptr<float>(), which.data(), 2);
    EXPECT_TRUE(torch::equal(y, expected)) << k.h << " x " << k.w << ", p = " << k.p;
    auto grad_x = torch::full_like(in, NAN);  // every element must be written
    max_pool_dropout_backward_channels_last(grad.data_ptr<float>(), which.data(), shape, k.c, DropoutMask(seed, k.p),
                                            grad_x.data_ptr<float>(), 3);
    EXPECT_TRUE(torch::equal(grad_x, nhwc(x.grad()))) << k.h << " x " << k.w << ", p = " << k.p;
  }
}

TEST(TrainingOps, ABFloat16BlockTrainsAsLibTorchsOperationsDo) {
  if (!simd::available()) GTEST_SKIP() << "this CPU has no AVX2/FMA; the trainer uses LibTorch's batch norm";
  // conv -> batch norm + ReLU -> pooling under the CPU's bfloat16 autocast: DigitLab's operations keep bfloat16
  // between the convolutions, LibTorch's cast to float and back. The gradients reaching the weights must agree.
  torch::manual_seed(11);
  const auto input = torch::randn({8, 4, 12, 12});
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(4, 8, 3).padding(1));  // eight channels: the SIMD loops
  torch::nn::BatchNorm2d ours_bn(8), theirs_bn(8);
  const auto run = [&](bool ours) {
    conv->zero_grad();
    auto& bn = ours ? ours_bn : theirs_bn;
    bn->train();
    compat::set_cpu_autocast(true, at::kBFloat16);
    auto y = conv->forward(input);
    torch::Tensor out;
    if (ours) {
      out = max_pool_dropout(batch_norm_relu(bn, y), 0.0, /*training=*/true);
      EXPECT_EQ(out.scalar_type(), torch::kBFloat16) << "a cast crept in";
      EXPECT_TRUE(out.is_contiguous(at::MemoryFormat::ChannelsLast)) << "oneDNN would reorder it";
    } else {
      out = torch::max_pool2d(bn->forward(y.to(torch::kFloat)).relu(), 2);
    }
    const auto loss = (out.to(torch::kFloat) * torch::linspace(-1, 1, out.numel()).view(out.sizes())).sum();
    loss.backward();
    compat::set_cpu_autocast(false, at::kBFloat16);
    compat::clear_autocast_cache();
    return std::make_pair(out.to(torch::kFloat), conv->weight.grad().clone());
  };
  const auto [ours_out, ours_grad] = run(true);
  const auto [theirs_out, theirs_grad] = run(false);
  EXPECT_LE((ours_out - theirs_out).abs().max().item<double>(), theirs_out.abs().max().item<double>() / 128);
  EXPECT_LE((ours_grad - theirs_grad).abs().max().item<double>(), theirs_grad.abs().max().item<double>() / 50);
  EXPECT_TRUE(torch::allclose(ours_bn->running_mean, theirs_bn->running_mean, 1e-3, 1e-4));
  EXPECT_TRUE(torch::allclose(ours_bn->running_var, theirs_bn->running_var, 1e-3, 1e-4));
  EXPECT_EQ(ours_bn->num_batches_tracked.item<int64_t>(), 1);
}

}  // namespace
}  // namespace digitlab
