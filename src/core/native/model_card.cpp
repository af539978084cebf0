#include "native/model_card.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace digitlab {
namespace {

nlohmann::json parse_card(const std::string& card_json) {
  return nlohmann::json::parse(card_json, nullptr, /*allow_exceptions=*/false);
}

/// The first line of an error message.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::optional<double> card_test_accuracy(const std::string& card_json) {
  const auto card = parse_card(card_json);
  if (card.is_object() && card.contains("test_accuracy") && card["test_accuracy"].is_number()) {
    return card["test_accuracy"].get<double>();
  }
  return std::nullopt;
}

std::vector<std::string> card_class_names(const std::string& card_json, int64_t classes,
                                          const std::filesystem::path& path) {
  const auto card = parse_card(card_json);
  ModelSpec named;
  named.num_classes = classes;
  const auto* source = &card;
  if (card.is_object() && card.contains("architecture") && card["architecture"].is_object()) {
    source = &card["architecture"];
  }
  if (source->is_object() && source->contains("class_names")) {
    try {
      named.class_names = (*source)["class_names"].get<std::vector<std::string>>();
      named.validate();
    } catch (const std::exception& e) {
      throw std::runtime_error(path.string() + ": the model card's class names are unusable (" +
                               first_line(e.what()) + ")");
    }
  }
  return named.names();
}

ModelSpec card_model_spec(const std::string& card_json, const std::map<std::string, std::vector<int64_t>>& shapes) {
  const auto card = parse_card(card_json);
  if (card.is_object() && card.contains("architecture")) return ModelSpec::from_json(card["architecture"].dump());
  const auto rows = [&](const std::string& name) -> int64_t {
    const auto& shape = shapes.at(name);
    if (shape.empty()) throw std::invalid_argument("weight " + name + " is a scalar");
    return shape.front();
  };
  ModelSpec spec;
  spec.block_channels.clear();
  spec.hidden.clear();
  for (int i = 1; shapes.count("conv" + std::to_string(i) + "_weight"); ++i) {
    if (i % spec.convs_per_block == 0) spec.block_channels.push_back(rows("conv" + std::to_string(i) + "_weight"));
  }
  int dense = 1;
  while (shapes.count("fc" + std::to_string(dense + 1) + "_weight")) {
    spec.hidden.push_back(rows("fc" + std::to_string(dense) + "_weight"));
    ++dense;
  }
  const std::string last = "fc" + std::to_string(dense) + "_weight";
  if (spec.block_channels.empty() || !shapes.count(last)) throw std::invalid_argument("no DigitNet weights");
  spec.num_classes = rows(last);
  spec.validate();
  return spec;
}

}  // namespace digitlab
