#pragma once
// EMNIST (Cohen et al., 2017) as NIST distributes it: IDX files named emnist-<split>-train-images-idx3-ubyte(.gz)
// and so on, each image stored transposed relative to MNIST, and emnist-<split>-mapping.txt mapping each label to
// the character code(s) it stands for ("1 65 97": label 1 is A and a). The letters split labels 1..26.

#include <digitlab/dataset.h>

#include <filesystem>
#include <string>
#include <vector>

namespace digitlab {

/// Loads EMNIST split `split` from `dir`: images turned upright, labels renumbered 0..K-1 in the mapping's order,
/// classes named by the mapping's first character code. Throws std::runtime_error naming the missing or malformed
/// file (a mapping line that is not "label code...", a label the mapping lacks).
Dataset load_emnist(const std::filesystem::path& dir, const std::string& split);

/// The mapping file's labels, in file order, and the name of each (its first character code as UTF-8).
struct EmnistMapping {
  std::vector<int> labels;
  std::vector<std::string> names;
};

/// Parses an EMNIST mapping file; throws std::runtime_error naming the file and line when malformed.
EmnistMapping read_emnist_mapping(const std::filesystem::path& file);

}  // namespace digitlab
