#include "validators.h"

#include <string>

namespace digitlab::cli {

CLI::Validator whole_number_at_least(long long minimum, const char* meaning_of_minimum) {
  const std::string bound =
      std::to_string(minimum) + (meaning_of_minimum != nullptr ? std::string(" (") + meaning_of_minimum + ")" : "");
  return CLI::Validator(
      [minimum, bound](std::string& text) -> std::string {
        long long value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "expected a whole number, got " + text;
        return value < minimum ? "must be " + bound + " or more, got " + text : "";
      },
      ">=" + std::to_string(minimum));
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "expected a number, got " + text;
        return value > 0 ? "" : "must be more than 0, got " + text;
      },
      "POSITIVE");
}

}  // namespace digitlab::cli
