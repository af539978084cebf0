#pragma once

#include <digitlab/idx_dataset.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace digitlab {

/// One of the four MNIST files: its name without ".gz" and the SHA-256 of its decompressed content.
struct MnistFile {
  /// File name without the ".gz" suffix, e.g. "train-images-idx3-ubyte".
  const char* name;
  /// Lowercase hex SHA-256 of the decompressed content.
  const char* sha256;
};

/// The four MNIST files, in the order train images, train labels, test images, test labels.
const std::array<MnistFile, 4>& mnist_files();

/// Where MNIST lives by default: $DIGITLAB_DATA if set and non-empty, else $XDG_DATA_HOME/digitlab/mnist, else
/// $HOME/.local/share/digitlab/mnist; throws std::runtime_error if none of these variables is set.
std::filesystem::path default_data_dir();

/// Returns dir/name if it is a file, else dir/name.gz if that is, else nothing.
std::optional<std::filesystem::path> find_mnist_file(const std::filesystem::path& dir, const std::string& name);

/// Names (without ".gz") of the MNIST files found in `dir` neither raw nor gzipped.
std::vector<std::string> missing_mnist_files(const std::filesystem::path& dir);

/// Checks the SHA-256 of each MNIST file's content in `dir` against mnist_files() and returns the paths checked.
/// Throws std::runtime_error naming the first file that is missing, unreadable or has another checksum.
std::vector<std::filesystem::path> verify_mnist(const std::filesystem::path& dir);

/// The MNIST training and test sets.
struct MnistSet {
  /// The 60,000 training images.
  IdxDataset train;
  /// The 10,000 test images.
  IdxDataset test;
};

/// Loads MNIST from `dir` (raw or gzipped files); throws std::runtime_error naming the first missing file and `dir`,
/// or whatever IdxDataset::load throws for a bad file.
MnistSet load_mnist(const std::filesystem::path& dir);

}  // namespace digitlab
