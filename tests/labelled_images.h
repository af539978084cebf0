#pragma once
// The labelled sets of real images beside the repository (../shared/datasets/realworld-digits and
// realworld-numbers): DIR/images/ and DIR/labels.csv, whose rows start "file,label,...".

#include <filesystem>
#include <string>
#include <vector>

namespace digitlab::testing {

/// One image of a labelled set.
struct LabelledImage {
  std::string file;            ///< Its name in labels.csv, e.g. "krisut-dump_4.png".
  std::filesystem::path path;  ///< DIR/images/file.
  std::string label;           ///< As written: text, since a number may start with 0.
};

/// Every image DIR/labels.csv lists after its header line, in its order; throws std::runtime_error naming the file
/// when it cannot be read or a row has no label.
std::vector<LabelledImage> labelled_images(const std::filesystem::path& dir);

}  // namespace digitlab::testing
