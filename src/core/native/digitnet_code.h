#pragma once
// Internal to digitlab_core: checks, as text, that a TorchScript file's code is the DigitNet forward DigitLab writes
// (model/torchscript.cpp, forward_source), so that running its weights on DigitLab's kernels computes exactly what
// the file's own code would, without LibTorch and without running any of it.

#include <digitlab/model_spec.h>

#include <string>

namespace digitlab {

/// The numbers DigitNet's forward states in its code.
struct DigitNetConstants {
  double mean = 0, std = 1;  ///< x = (image - mean) / std
  double eps = 0;            ///< Every batch norm's epsilon (DigitLab writes one value for all).
};

/// Empty when `code` (code/__torch__.py) defines one class whose only method is a forward that computes DigitNet
/// for `spec` op by op (the same operations in the same order on the same weights, each reading the one before),
/// else what differs ("line 12: expected torch.relu, found torch.sigmoid"). Fills `constants` from the code.
std::string check_digitnet_code(const std::string& code, const ModelSpec& spec, DigitNetConstants& constants);

}  // namespace digitlab
