#pragma once
// A labelled training set and test set with the names of their classes, loaded from any DatasetSource:
//
//   const Dataset data = load_dataset(DatasetSource::parse("fashion-mnist", default_data_dir()));
//   std::printf("%zu training images of %zu classes\n", data.train.size(), data.class_names.size());
//
// Torch-free header.

#include <digitlab/dataset_source.h>
#include <digitlab/idx_dataset.h>

#include <string>
#include <utility>
#include <vector>

namespace digitlab {

/// Labelled images to train on and to test on, and what each class is called.
struct Dataset {
  std::string name;  ///< For people: "MNIST", "Fashion-MNIST", "EMNIST letters", "folder my-symbols".
  IdxDataset train;  ///< Training images (a validation split is taken from these).
  IdxDataset test;   ///< Held-out test images.
  std::vector<std::string> class_names;  ///< One per class; train.classes() of them.
  /// SHA-256 of each file's content (IDX sets), for metrics.json; empty for folders.
  std::vector<std::pair<std::string, std::string>> file_sha256;
  /// Images a folder dataset skipped (no ink found, unreadable), with the reason, for the log.
  std::vector<std::string> skipped;
};

/// Least images a class of a folder dataset should have to be learned; fewer get a warning.
constexpr int kFewSamplesPerClass = 10;

/// Loads a dataset. Throws std::runtime_error naming the file or folder that is missing, unreadable or malformed
/// (a label beyond the class names, a folder without class folders, a class folder without images).
Dataset load_dataset(const DatasetSource& source);

}  // namespace digitlab
