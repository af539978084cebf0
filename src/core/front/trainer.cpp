// Trainer: the run itself happens in the LibTorch engine (src/core/train/trainer.cpp), loaded here on first use.
#include <digitlab/trainer.h>

#include "front/engine.h"

namespace digitlab {

class Trainer::Impl {
 public:
  explicit Impl(TrainConfig config) : backend(engine().make_trainer(std::move(config))) {}
  std::unique_ptr<TrainerBackend> backend;
};

Trainer::Trainer(TrainConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Trainer::~Trainer() = default;

TrainResult Trainer::run(const TrainCallbacks& callbacks, const std::atomic<bool>* stop) {
  return impl_->backend->run(callbacks, stop);
}

}  // namespace digitlab
