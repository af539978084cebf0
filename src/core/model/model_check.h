#pragma once
// Internal to digitlab_model: the checks load_torchscript() makes before running any of a model (see
// include/digitlab/model_safety.h for the policy).

#include "native/model_limits.h"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include <filesystem>
#include <string>

namespace digitlab {

/// Judges the archive before LibTorch opens it: its entries must not inflate past the limits above (a card that
/// would inflate to gigabytes is refused here), and unless `trusted`, no class in its code may define
/// __setstate__, which LibTorch runs while loading. Throws std::runtime_error naming `path` for a file that is not
/// a readable archive, UnsafeModelError for one refused.
void check_model_archive(const std::filesystem::path& path, bool trusted);

/// The first operation of `module`'s forward (everything it calls, inlined) that is not a pure tensor operation,
/// as one line ("calls aten::save, which writes files"), or empty when every operation is allowed. Never runs
/// the module.
std::string unsafe_operation(const torch::jit::Module& module);

}  // namespace digitlab
