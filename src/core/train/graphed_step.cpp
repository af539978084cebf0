#include "train/graphed_step.h"

#include "runtime/torch_compat.h"

#include <stdexcept>

#ifdef DIGITLAB_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace digitlab {

#ifdef DIGITLAB_WITH_CUDA

namespace {

/// Eager steps before the capture: cuDNN autotunes each convolution on its first call, and that cannot be captured.
constexpr int kWarmupSteps = 3;

/// Makes `waiter` wait for the work queued on `on` so far.
void wait_for(const c10::cuda::CUDAStream& waiter, const c10::cuda::CUDAStream& on) {
  at::cuda::CUDAEvent event;
  event.record(on);
  event.block(waiter);
}

/// Autocast's weight cache off while it lives: a captured cast must run again at every replay.
class NoAutocastCache {
 public:
  NoAutocastCache() : was_(at::autocast::is_autocast_cache_enabled()) { compat::set_autocast_cache(false); }
  ~NoAutocastCache() { compat::set_autocast_cache(was_); }
  NoAutocastCache(const NoAutocastCache&) = delete;
  NoAutocastCache& operator=(const NoAutocastCache&) = delete;

 private:
  bool was_;
};

}  // namespace

struct GraphedStep::Impl {
  Impl(DigitNet& network, torch::Tensor images_in, torch::Tensor labels_in, GraphedStepOptions opts)
      : net(network),
        images(std::move(images_in)),
        labels(std::move(labels_in)),
        options(opts),
        augment(AugmentRanges{}, AugmentRandom::kBatch),
        adam(net->parameters(), /*channels_last=*/true),
        side(c10::cuda::getStreamFromPool()) {
    const auto on = images.options();
    indices = torch::zeros({options.batch_size}, on.dtype(torch::kLong));
    loss_total = torch::zeros({}, on.dtype(torch::kFloat));
    correct_total = torch::zeros({}, on.dtype(torch::kLong));
    loss_last = torch::zeros({}, on.dtype(torch::kFloat));
  }

  void body() {
    auto x = images.index_select(0, indices).to(torch::kFloat).div_(255.0);
    if (options.augment) x = augment(x, options.augment_strength);
    x = x.contiguous(at::MemoryFormat::ChannelsLast);
    const auto y = labels.index_select(0, indices);
    const auto logits = net->forward(x).to(torch::kFloat);
    const auto loss = torch::nn::functional::cross_entropy(
                          logits, y, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(
                                         options.label_smoothing)) +
                      net->l2_penalty();
    adam.zero_grad();
    loss.backward();
    adam.step();
    torch::NoGradGuard no_grad;
    const auto batch_loss = loss.detach();
    loss_last.copy_(batch_loss);
    loss_total.add_(batch_loss * static_cast<double>(options.batch_size));
    correct_total.add_(logits.detach().argmax(1).eq(y).sum());
  }

  void run(const torch::Tensor& batch, double lr) {
    indices.copy_(batch);
    adam.set_lr(lr);
    if (captured) {
      graph.replay();
      return;
    }
    const NoAutocastCache no_cache;
    const auto current = c10::cuda::getCurrentCUDAStream();
    wait_for(side, current);
    {
      const c10::cuda::CUDAStreamGuard on_side(side);
      if (warm < kWarmupSteps) {
        body();
        ++warm;
      } else {
        graph.capture_begin();
        body();
        graph.capture_end();
        captured = true;
      }
    }
    wait_for(current, side);
    if (captured) graph.replay();  // the capture recorded this step without running it
  }

  DigitNet& net;
  torch::Tensor images, labels;
  GraphedStepOptions options;
  Augmenter augment;
  FlatAdam adam;
  c10::cuda::CUDAStream side;
  at::cuda::CUDAGraph graph;
  bool captured = false;
  int warm = 0;
  torch::Tensor indices, loss_total, correct_total, loss_last;
};

bool GraphedStep::available(const torch::Device& device) { return device.is_cuda(); }

GraphedStep::GraphedStep(DigitNet& net, torch::Tensor images, torch::Tensor labels, GraphedStepOptions options) {
  if (!available(images.device())) throw std::runtime_error("CUDA graphs need a CUDA device");
  impl_ = std::make_unique<Impl>(net, std::move(images), std::move(labels), options);
}

void GraphedStep::run(const torch::Tensor& indices, double lr) { impl_->run(indices, lr); }

FlatAdam& GraphedStep::optimizer() { return impl_->adam; }

void GraphedStep::start_epoch() {
  impl_->loss_total.zero_();
  impl_->correct_total.zero_();
}

double GraphedStep::loss_sum() const { return impl_->loss_total.item<double>(); }
int64_t GraphedStep::correct() const { return impl_->correct_total.item<int64_t>(); }
double GraphedStep::last_loss() const { return impl_->loss_last.item<double>(); }

#else  // a LibTorch without CUDA: never available

struct GraphedStep::Impl {};

bool GraphedStep::available(const torch::Device& /*device*/) { return false; }

GraphedStep::GraphedStep(DigitNet& /*net*/, torch::Tensor /*images*/, torch::Tensor /*labels*/,
                         GraphedStepOptions /*options*/) {
  throw std::runtime_error("this build of DigitLab has no CUDA support, so it cannot capture CUDA graphs");
}

FlatAdam& GraphedStep::optimizer() { throw std::logic_error("GraphedStep without CUDA"); }
void GraphedStep::run(const torch::Tensor& /*indices*/, double /*lr*/) {}
void GraphedStep::start_epoch() {}
double GraphedStep::loss_sum() const { return 0; }
int64_t GraphedStep::correct() const { return 0; }
double GraphedStep::last_loss() const { return 0; }

#endif

GraphedStep::~GraphedStep() = default;

}  // namespace digitlab
