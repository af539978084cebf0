#include <digitlab/model_spec.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace digitlab {

namespace {

constexpr size_t kMaxClassNameBytes = 40;

// Names are shown in charts and written in CSV and JSON: each one short, printable and different from the others.
void check_class_names(const std::vector<std::string>& names, int64_t classes) {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("model description: " + what); };
  if (names.empty()) return;
  if (static_cast<int64_t>(names.size()) != classes) {
    fail(std::to_string(names.size()) + " class names for " + std::to_string(classes) + " classes");
  }
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (name.empty() || name.size() > kMaxClassNameBytes) {
      fail("class name \"" + name.substr(0, kMaxClassNameBytes) + "\" must be 1 to " +
           std::to_string(kMaxClassNameBytes) + " bytes long");
    }
    const bool control =
        std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (control) fail("class name \"" + name + "\" holds a control character");
    if (!seen.insert(name).second) fail("class name \"" + name + "\" appears twice");
  }
}

}  // namespace

ModelSpec ModelSpec::digits() { return ModelSpec{}; }

int64_t ModelSpec::conv_in_channels(int i) const { return i == 0 ? 1 : conv_out_channels(i - 1); }

int64_t ModelSpec::conv_out_channels(int i) const {
  return block_channels.at(static_cast<size_t>(i / convs_per_block));
}

int64_t ModelSpec::final_side() const {
  int64_t side = input_side;
  for (size_t b = 0; b < block_channels.size(); ++b) side /= 2;
  return side;
}

int64_t ModelSpec::flat_features() const { return block_channels.back() * final_side() * final_side(); }

int64_t ModelSpec::dense_in_features(int i) const {
  return i == 0 ? flat_features() : hidden.at(static_cast<size_t>(i - 1));
}

int64_t ModelSpec::dense_out_features(int i) const {
  return i + 1 == dense_count() ? num_classes : hidden.at(static_cast<size_t>(i));
}

void ModelSpec::validate() const {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("model description: " + what); };
  if (input_side < 2) fail("input side must be at least 2, got " + std::to_string(input_side));
  if (!(std > 0)) fail("std must be positive");
  if (block_channels.empty()) fail("needs at least one conv block");
  for (const auto c : block_channels) {
    if (c < 1) fail("block channels must be positive, got " + std::to_string(c));
  }
  if (convs_per_block < 1) fail("convs per block must be at least 1");
  if (final_side() < 1) {
    fail(std::to_string(block_channels.size()) + " pooling blocks shrink a " + std::to_string(input_side) +
         "-pixel input to nothing");
  }
  for (const auto h : hidden) {
    if (h < 1) fail("hidden widths must be positive, got " + std::to_string(h));
  }
  if (num_classes < 2) fail("needs at least 2 classes, got " + std::to_string(num_classes));
  check_class_names(class_names, num_classes);
  if (conv_dropout < 0 || conv_dropout >= 1 || dense_dropout < 0 || dense_dropout >= 1) {
    fail("dropout must be in [0, 1)");
  }
  if (dense_l2 < 0) fail("L2 penalty must not be negative");
}

std::string ModelSpec::class_name(int64_t i) const {
  if (i < 0 || i >= num_classes) {
    throw std::out_of_range("class " + std::to_string(i) + " of a model with " + std::to_string(num_classes) +
                            " classes");
  }
  return class_names.empty() ? std::to_string(i) : class_names.at(static_cast<size_t>(i));
}

std::vector<std::string> ModelSpec::names() const {
  std::vector<std::string> out;
  for (int64_t i = 0; i < num_classes; ++i) out.push_back(class_name(i));
  return out;
}

std::string ModelSpec::to_json() const {
  const nlohmann::json j = {{"input_side", input_side},
                            {"mean", mean},
                            {"std", std},
                            {"block_channels", block_channels},
                            {"convs_per_block", convs_per_block},
                            {"conv_dropout", conv_dropout},
                            {"hidden", hidden},
                            {"dense_dropout", dense_dropout},
                            {"dense_l2", dense_l2},
                            {"num_classes", num_classes},
                            {"class_names", names()}};
  return j.dump();
}

ModelSpec ModelSpec::from_json(const std::string& text) {
  ModelSpec spec;
  try {
    const auto j = nlohmann::json::parse(text);
    spec.input_side = j.value("input_side", spec.input_side);
    spec.mean = j.value("mean", spec.mean);
    spec.std = j.value("std", spec.std);
    spec.block_channels = j.value("block_channels", spec.block_channels);
    spec.convs_per_block = j.value("convs_per_block", spec.convs_per_block);
    spec.conv_dropout = j.value("conv_dropout", spec.conv_dropout);
    spec.hidden = j.value("hidden", spec.hidden);
    spec.dense_dropout = j.value("dense_dropout", spec.dense_dropout);
    spec.dense_l2 = j.value("dense_l2", spec.dense_l2);
    spec.num_classes = j.value("num_classes", spec.num_classes);
    spec.class_names = j.value("class_names", spec.class_names);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("model description: not valid JSON: ") + e.what());
  }
  spec.validate();
  return spec;
}

bool ModelSpec::operator==(const ModelSpec& o) const {
  return input_side == o.input_side && mean == o.mean && std == o.std && block_channels == o.block_channels &&
         convs_per_block == o.convs_per_block && conv_dropout == o.conv_dropout && hidden == o.hidden &&
         dense_dropout == o.dense_dropout && dense_l2 == o.dense_l2 && num_classes == o.num_classes &&
         names() == o.names();
}

}  // namespace digitlab
