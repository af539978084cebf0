#pragma once
// A model file is a program: TorchScript can write files, map memory or loop forever. DigitLab judges a model
// before running any of it (see load_torchscript() and Predictor): it reads the archive's table of contents and
// code without executing anything, then inspects every operation of forward. Models made of ordinary layers
// (convolutions, linear, batch norm, pooling, activations, softmax, dropout, flatten, reshape), DigitLab's own
// among them, pass; anything else is refused with an UnsafeModelError, which a user may override by saying they
// trust the file (CLI --trust-model, the app's dialog). Torch-free header.

#include <stdexcept>
#include <string>

namespace digitlab {

/// A model refused because running it could do more than compute probabilities. what() is one line naming the
/// file, the operation and why ("m.pt: refused: calls aten::save, which writes files").
class UnsafeModelError : public std::runtime_error {
 public:
  UnsafeModelError(const std::string& file, const std::string& reason)
      : std::runtime_error(file + ": refused: " + reason), reason_(reason) {}
  /// Why, without the file name ("calls aten::save, which writes files").
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

}  // namespace digitlab
