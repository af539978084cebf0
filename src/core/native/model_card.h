#pragma once
// Internal to digitlab_core: what DigitLab reads from a model file's card (extra/digitlab.json) and weight shapes,
// the same with LibTorch (load_torchscript, to_digitnet) and without it (NativeModel).

#include <digitlab/model_spec.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// The card's "test_accuracy", when it records one.
std::optional<double> card_test_accuracy(const std::string& card_json);

/// The names the card gives the model's `classes` classes: its "architecture"."class_names" (DigitLab's models) or
/// "class_names" (a card a Python user wrote), else the class indices. Throws std::runtime_error naming `path` when
/// the card's names are unusable (wrong count, duplicates, too long).
std::vector<std::string> card_class_names(const std::string& card_json, int64_t classes,
                                          const std::filesystem::path& path);

/// The description of a DigitLab model: its card's "architecture" when it has one; otherwise (files written before
/// the card carried it) read off the weight shapes by name ("conv1_weight"...), with two convolutions per block as
/// those had. Throws std::invalid_argument saying what is missing or out of range.
ModelSpec card_model_spec(const std::string& card_json, const std::map<std::string, std::vector<int64_t>>& shapes);

}  // namespace digitlab
