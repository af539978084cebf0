#pragma once
// `predict --explain DIR`: each image's explanation written as two PNGs, the map over the original image and over the
// 28x28 inputs the network saw; and the maps as JSON for `--json`.

#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace digitlab::cli {

/// Writes `<name>-map.png` (the maps of every digit over `image`) and `<name>-map28.png` (each digit's 28x28 input,
/// enlarged, with its map over it, side by side) into `dir`, where <name> is the input's name (picture_names()).
/// Each file is written to a temporary name and renamed. Returns the two paths; throws std::runtime_error naming a
/// file that cannot be written.
std::vector<std::filesystem::path> write_explanation_pngs(const std::filesystem::path& dir, const std::string& name,
                                                          const GrayImage& image, const ImageReading& reading,
                                                          const std::vector<Explanation>& explanations);

/// One explanation as JSON: the method used, the classes, any note, and the map as 28 rows of 28 numbers.
nlohmann::json explanation_json(const Explanation& explanation);

}  // namespace digitlab::cli
