#pragma once
// Internal to digitlab_core: DigitLab's own DigitNet files opened without LibTorch. The file is read as data (its
// card, its weights and its code as text; nothing in it runs), its code is checked to be DigitNet's forward, and the
// weights run on DigitLab's AVX2 kernels with the batch norms folded in. The Predictor opens every CPU model this
// way first; any other model goes to LibTorch.

#include "native/folded_network.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace digitlab {

class NativeModel {
 public:
  /// The model in `path` when it is a DigitNet that DigitLab wrote (its card, DigitNet's weights and forward) and
  /// this CPU runs DigitLab's kernels; nullopt otherwise, with *why_not (when given) saying why ("it has no DigitLab
  /// model card", "this CPU lacks AVX2 and FMA"). Never throws for a bad file: LibTorch's path reports those.
  static std::optional<NativeModel> open(const std::filesystem::path& path, std::string* why_not = nullptr);

  const FoldedNetwork& network() const { return network_; }
  const std::string& card_json() const { return card_json_; }
  std::optional<double> test_accuracy() const { return test_accuracy_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  int64_t num_classes() const { return network_.spec().num_classes; }

 private:
  explicit NativeModel(FoldedNetwork network) : network_(std::move(network)) {}

  FoldedNetwork network_;
  std::string card_json_;
  std::optional<double> test_accuracy_;
  std::vector<std::string> class_names_;
};

}  // namespace digitlab
