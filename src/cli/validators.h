#pragma once
// Option checks whose messages read plainly: CLI11's PositiveNumber and NonNegativeNumber print their upper bound,
// the largest double, as 309 digits.

#include <CLI/CLI.hpp>

namespace digitlab::cli {

/// A whole number of at least `minimum`: "must be 1 or more, got 0"; `meaning_of_minimum` (e.g. "all cores")
/// is said beside the minimum when given.
CLI::Validator whole_number_at_least(long long minimum, const char* meaning_of_minimum = nullptr);

/// A number above 0: "must be more than 0, got -1".
CLI::Validator positive_number();

}  // namespace digitlab::cli
