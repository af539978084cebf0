#pragma once
// Which labelled images to train or evaluate on, as the CLI's --dataset and the app's Train tab name them:
//
//   mnist[:DIR]            MNIST (the ten digits) from DIR or the data folder
//   fashion-mnist[:DIR]    Fashion-MNIST's ten named classes, by default from Debian's dataset-fashion-mnist
//   emnist-SPLIT[:DIR]     EMNIST (letters, balanced, byclass, bymerge, digits, mnist), named from its mapping file
//   idx:DIR                any IDX pair (train-/t10k-images-idx3-ubyte...) with an optional classes.txt of names
//   folder:DIR             a folder per class: DIR/<class name>/*.png|jpg (optionally DIR/train and DIR/test)
//   mnist+folder:DIR       MNIST with a folder of one's own samples; folders named like a digit add to that digit
// Torch-free header.

#include <filesystem>
#include <string>
#include <vector>

namespace digitlab {

/// Where Debian's dataset-fashion-mnist package installs Fashion-MNIST.
constexpr const char* kDebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// A dataset to load, by kind and folder.
class DatasetSource {
 public:
  /// The kinds of dataset DigitLab reads.
  enum class Kind { kMnist, kFashionMnist, kEmnist, kIdx, kFolder, kMnistPlusFolder };

  /// MNIST from `dir` (the default dataset).
  DatasetSource() = default;
  /// A source of `kind` in `dir`; `split` names the EMNIST split.
  DatasetSource(Kind kind, std::filesystem::path dir, std::string split = {});

  /// Parses one of the forms above; a form without DIR takes its default folder (MNIST: `mnist_dir`; EMNIST: the
  /// "emnist" folder beside `mnist_dir`). Throws std::invalid_argument listing the forms for anything else.
  static DatasetSource parse(const std::string& text, const std::filesystem::path& mnist_dir);
  /// The EMNIST splits DigitLab reads.
  static const std::vector<std::string>& emnist_splits();

  Kind kind() const { return kind_; }
  /// The dataset's folder (for kMnistPlusFolder: the folder of one's own samples).
  const std::filesystem::path& dir() const { return dir_; }
  /// The MNIST folder of kMnistPlusFolder.
  const std::filesystem::path& mnist_dir() const { return mnist_dir_; }
  /// The EMNIST split ("letters"); empty for other kinds.
  const std::string& split() const { return split_; }
  /// The form parse() reads back, e.g. "emnist-letters:/data/emnist" (recorded in metrics.json).
  std::string text() const;

 private:
  Kind kind_ = Kind::kMnist;
  std::filesystem::path dir_;
  std::filesystem::path mnist_dir_;
  std::string split_;
};

}  // namespace digitlab
