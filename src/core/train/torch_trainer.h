#pragma once
// Internal to the engine: the trainer behind Trainer (src/core/front/trainer.cpp), on LibTorch.

#include "front/engine.h"

#include <memory>

namespace digitlab {

/// Throws std::runtime_error for invalid settings (epochs, batch size, lr, device...).
std::unique_ptr<TrainerBackend> make_torch_trainer(TrainConfig config);

}  // namespace digitlab
