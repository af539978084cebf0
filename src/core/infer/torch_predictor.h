#pragma once
// Internal to the engine: a model the Predictor hands to LibTorch (any model that is not DigitLab's own DigitNet file,
// or any model on a GPU): loaded by load_torchscript() (judged safe first), run on the folded fast path when it is
// a DigitNet on the CPU, else frozen and optimized for inference.

#include "front/engine.h"

#include <memory>

namespace digitlab {

std::unique_ptr<PredictorBackend> open_torch_predictor(const std::filesystem::path& path, const std::string& device,
                                                       bool trusted);

}  // namespace digitlab
