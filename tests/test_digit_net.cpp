#include <digitlab/digit_net.h>
#include <digitlab/evaluator.h>
#include <digitlab/mnist.h>

#include <gtest/gtest.h>

#include "test_helpers.h"

namespace digitlab {
namespace {

TEST(DigitNet, OutputIsTenProbabilitiesPerImage) {
  DigitNet net;
  net->eval();
  const auto x = torch::rand({3, 1, 28, 28});
  const auto logits = net->forward(x);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 10}));
  const auto probs = net->probabilities(x);
  EXPECT_TRUE(torch::allclose(probs.sum(1), torch::ones({3}), 1e-5, 1e-5));
  EXPECT_GE(probs.min().item<float>(), 0.0f);
}

TEST(DigitNet, HasTheOriginalArchitecturesParameterCount) {
  DigitNet net;
  // 6 convs with bias, 6 batch norms (weight and bias), dense 1152->256, dense 256->10.
  EXPECT_EQ(parameter_count(*net), 585066);
  EXPECT_EQ(net->buffers().size(), 18u);  // running mean, var and batch count per BN
}

TEST(DigitNet, OneAdamStepLowersTheLossOnAFixedBatch) {
  const auto test = load_mnist(testing::mnist_dir()).test;
  const auto x = images_tensor(test, 0, 64).to(torch::kFloat).div(255.0);
  const auto y = labels_tensor(test, 0, 64);
  torch::manual_seed(7);
  DigitNet net;
  net->train();
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-3));
  const auto loss_with_same_dropout = [&] {
    torch::manual_seed(11);  // the same dropout masks before and after the step
    return torch::nn::functional::cross_entropy(net->forward(x), y) + net->l2_penalty();
  };
  const auto before = loss_with_same_dropout();
  optimizer.zero_grad();
  before.backward();
  optimizer.step();
  const double after = loss_with_same_dropout().item<double>();
  EXPECT_LT(after, before.item<double>() - 0.01);
}

TEST(DigitNet, TrainingKeepsBatchNormRunningStatisticsLikeLibTorch) {
  // The CPU trainer's fused batch norm + ReLU must update the running statistics that evaluation and the
  // saved model use exactly as BatchNorm2d does.
  torch::manual_seed(8);
  DigitNet net;
  net->train();
  const auto x = torch::rand({16, 1, 28, 28});
  net->forward(x);
  torch::NoGradGuard no_grad;
  const auto& conv = net->conv(0);
  const auto conv1 = torch::conv2d((x - net->spec().mean) / net->spec().std, conv->weight, conv->bias, 1, 1);
  const auto& bn = net->bn(0);
  EXPECT_TRUE(torch::allclose(bn->running_mean, 0.1 * conv1.mean({0, 2, 3}), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(bn->running_var, 0.9 + 0.1 * conv1.var({0, 2, 3}, /*unbiased=*/true), 1e-5, 1e-6));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
}

}  // namespace
}  // namespace digitlab
