#pragma once
// Writes an untrained model with the given class names, for tests of what the app says about a model that does
// not read digits; torch stays out of the Qt test's own translation unit.

#include <string>
#include <vector>

/// Saves an untrained DigitNet with one output per name (its answers are arbitrary) as a TorchScript file at
/// `path`; throws std::runtime_error naming the path when it cannot be written.
void writeUntrainedModel(const std::string& path, const std::vector<std::string>& classNames);
