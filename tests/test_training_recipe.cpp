// The quick recipe's parts: the one-cycle learning rate, Adam over one flat buffer (the CUDA-graph step's optimizer),
// and the recipe table itself.
#include <digitlab/train_recipe.h>

#include <digitlab/digit_net.h>

#include "train/flat_adam.h"
#include "train/learning_rate.h"

#include <gtest/gtest.h>

namespace digitlab {
namespace {

TrainConfig one_cycle(double peak, int epochs) {
  TrainConfig c;
  c.lr = peak;
  c.epochs = epochs;
  c.schedule = LrSchedule::kOneCycle;
  return c;
}

TEST(LearningRate, OneCycleRisesForAQuarterThenFallsToAlmostNothing) {
  const LearningRate lr(one_cycle(4e-3, 3), 100);  // 300 steps
  EXPECT_NEAR(lr.at(0, 0), 4e-3 / 25, 1e-12);
  EXPECT_NEAR(lr.at(0, 75), 4e-3, 1e-12);  // the peak, a quarter of the way in
  EXPECT_NEAR(lr.at(2, 99), 4e-3 / 1e4, 2e-6);
  double previous = 0;
  for (int64_t s = 0; s < 300; ++s) {
    const double now = lr.at(static_cast<int>(s / 100), s % 100);
    if (s <= 75) {
      EXPECT_GE(now, previous) << "step " << s;
    } else {
      EXPECT_LE(now, previous) << "step " << s;
    }
    previous = now;
  }
}

TEST(LearningRate, ExponentialDecaysOncePerEpoch) {
  TrainConfig c;
  c.lr = 1e-3;
  c.lr_decay = 0.5;
  const LearningRate lr(c, 10);
  EXPECT_DOUBLE_EQ(lr.at(0, 0), 1e-3);
  EXPECT_DOUBLE_EQ(lr.at(0, 9), 1e-3);
  EXPECT_DOUBLE_EQ(lr.at(2, 3), 0.25e-3);
}

/// Two identical networks, one stepped by torch::optim::Adam and one by FlatAdam, with the same gradients (set
/// directly: a backward pass on several threads is not bitwise repeatable, and Adam magnifies the difference).
TEST(FlatAdam, StepsAsLibTorchsAdam) {
  torch::manual_seed(3);
  DigitNet reference(ModelSpec::digits());
  DigitNet flat(ModelSpec::digits());
  {
    torch::NoGradGuard no_grad;
    auto from = reference->parameters();
    auto to = flat->parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  torch::optim::Adam adam(reference->parameters(), torch::optim::AdamOptions(1e-3));
  FlatAdam flat_adam(flat->parameters(), /*channels_last=*/true);
  EXPECT_EQ(flat_adam.numel(), parameter_count(*flat));
  auto a = reference->parameters();
  auto b = flat->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (int step = 0; step < 4; ++step) {
    const double lr = 1e-3 * (step + 1);
    static_cast<torch::optim::AdamOptions&>(adam.param_groups()[0].options()).lr(lr);
    flat_adam.set_lr(lr);
    flat_adam.zero_grad();
    for (size_t i = 0; i < a.size(); ++i) {
      const auto g = torch::randn_like(a[i]) * (i % 3 == 0 ? 1e-6 : 1.0);  // some tiny, as late in training
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad().copy_(g);
    }
    adam.step();
    flat_adam.step();
  }
  EXPECT_EQ(flat_adam.steps(), 4);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-7)) << "parameter " << i;
    if (b[i].dim() == 4) {
      EXPECT_TRUE(b[i].is_contiguous(at::MemoryFormat::ChannelsLast)) << "parameter " << i;
    }
  }
  // The state goes into a checkpoint and comes back.
  const auto saved = flat_adam.state();
  flat_adam.step();
  flat_adam.restore(saved);
  EXPECT_EQ(flat_adam.steps(), 4);
  EXPECT_THROW(flat_adam.restore({saved[0]}), std::runtime_error);
}

// Backward accumulates into the flat gradient buffer (zero_grad then clears every parameter's gradient at once), and
// a step moves the network's own parameters.
TEST(FlatAdam, BackwardFillsTheFlatGradients) {
  torch::manual_seed(4);
  DigitNet net(ModelSpec::digits());
  net->eval();
  FlatAdam adam(net->parameters(), /*channels_last=*/true);
  const auto before = net->parameters()[4].detach().clone();
  adam.set_lr(1e-3);
  torch::nn::functional::cross_entropy(net->forward(torch::rand({4, 1, 28, 28})), torch::tensor({1, 2, 3, 4}))
      .backward();
  for (const auto& p : net->parameters()) EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  adam.step();
  EXPECT_GT((net->parameters()[4] - before).abs().max().item<double>(), 1e-4);
  adam.zero_grad();
  for (const auto& p : net->parameters()) EXPECT_EQ(p.grad().abs().sum().item<double>(), 0.0);
}

TEST(Recipe, QuickChangesTheScheduleAndKeepsWhereAndWhat) {
  TrainConfig base;
  base.out_dir = "somewhere";
  base.seed = 7;
  base.limit = 1000;
  base.device = "cpu";
  base.model.num_classes = 26;
  const TrainConfig quick = with_recipe(base, Recipe::kQuick);
  EXPECT_EQ(quick.recipe, "quick");
  EXPECT_EQ(quick.schedule, LrSchedule::kOneCycle);
  EXPECT_GT(quick.batch_size, base.batch_size);
  EXPECT_LT(quick.epochs, base.epochs);
  EXPECT_GT(quick.label_smoothing, 0.0);
  EXPECT_EQ(quick.patience, quick.epochs);
  EXPECT_FALSE(quick.cudnn_autotune);
  EXPECT_EQ(quick.out_dir, base.out_dir);
  EXPECT_EQ(quick.seed, 7u);
  EXPECT_EQ(quick.limit, 1000);
  EXPECT_EQ(quick.device, "cpu");
  // Fewer images an epoch, lighter dropout, the same network otherwise.
  EXPECT_EQ(quick.images_per_epoch, kQuickImagesPerEpoch);
  EXPECT_LT(quick.model.conv_dropout, base.model.conv_dropout);
  EXPECT_LT(quick.model.dense_dropout, base.model.dense_dropout);
  EXPECT_EQ(quick.model.num_classes, 26);
  EXPECT_EQ(quick.model.block_channels, base.model.block_channels);
  // Back to the default recipe: TrainConfig's own defaults.
  const TrainConfig back = with_recipe(quick, Recipe::kDefault);
  EXPECT_EQ(back.schedule, LrSchedule::kExponential);
  EXPECT_EQ(back.epochs, TrainConfig{}.epochs);
  EXPECT_EQ(back.label_smoothing, 0.0);
  EXPECT_FALSE(back.cpu_bf16);
  EXPECT_EQ(back.images_per_epoch, 0);
  EXPECT_EQ(back.model.conv_dropout, ModelSpec{}.conv_dropout);
  EXPECT_EQ(back.model.dense_dropout, ModelSpec{}.dense_dropout);
  EXPECT_EQ(back.model.num_classes, 26);
  // More epochs than the recipe's: a one-cycle run still never stops early; the default recipe keeps its patience.
  TrainConfig longer = quick;
  longer.epochs = 7;
  run_one_cycle_to_the_end(longer);
  EXPECT_EQ(longer.patience, 7);
  TrainConfig standard = back;
  standard.epochs = 7;
  run_one_cycle_to_the_end(standard);
  EXPECT_EQ(standard.patience, TrainConfig{}.patience);
  EXPECT_EQ(parse_recipe("quick"), Recipe::kQuick);
  try {
    parse_recipe("fast");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "unknown recipe \"fast\" (choose default or quick)");
  }
}

}  // namespace
}  // namespace digitlab
