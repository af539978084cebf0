#include <digitlab/dataset.h>
#include <digitlab/model_spec.h>

#include "datasets/emnist.h"
#include "datasets/folder_dataset.h"
#include "datasets/idx_files.h"

#include <algorithm>
#include <stdexcept>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr const char* kClassNamesFile = "classes.txt";

// Zalando's names for Fashion-MNIST's labels 0..9.
const std::vector<std::string>& fashion_names() {
  static const std::vector<std::string> kNames{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return kNames;
}

Dataset load_named_idx(const fs::path& dir, const std::string& name, std::vector<std::string> names) {
  Dataset data = load_idx_files(dir, "", name);
  const std::string where = dir.string();
  if (names.empty()) names = index_names(data);
  name_classes(data, std::move(names), where);
  return data;
}

Dataset load_idx_folder(const fs::path& dir) {
  std::error_code ec;
  const fs::path names_file = dir / kClassNamesFile;
  std::vector<std::string> names;
  if (fs::exists(names_file, ec)) names = read_class_names(names_file);
  return load_named_idx(dir, "IDX " + dir.filename().string(), names);
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Labels of `part` (named `part_names`) renumbered into `names`, which gains the names it lacks.
std::vector<uint8_t> merged_labels(const IdxDataset& part, const std::vector<std::string>& part_names,
                                   std::vector<std::string>& names) {
  std::vector<uint8_t> to(part_names.size());
  for (size_t c = 0; c < part_names.size(); ++c) {
    auto it = std::find(names.begin(), names.end(), part_names[c]);
    if (it == names.end()) it = names.insert(names.end(), part_names[c]);
    to[c] = static_cast<uint8_t>(it - names.begin());
  }
  std::vector<uint8_t> out;
  out.reserve(part.size());
  for (const uint8_t label : part.labels()) out.push_back(to[label]);
  return out;
}

// MNIST and a folder of one's own samples in one set: a folder named "7" adds to the digit 7, others are new.
Dataset load_mnist_plus_folder(const DatasetSource& source) {
  Dataset mnist = load_named_idx(source.mnist_dir(), "MNIST", {});
  const Dataset own = load_folder_dataset(source.dir());
  std::vector<std::string> names = mnist.class_names;
  const auto train_labels = merged_labels(own.train, own.class_names, names);
  const auto test_labels = merged_labels(own.test, own.class_names, names);
  const int classes = static_cast<int>(names.size());
  if (classes > kMaxClasses) throw std::runtime_error(source.dir().string() + ": too many classes");
  Dataset out{"MNIST + " + own.name,
              IdxDataset(concat(mnist.train.pixels(), own.train.pixels()), concat(mnist.train.labels(), train_labels),
                         kInputSide, kInputSide, classes),
              IdxDataset(concat(mnist.test.pixels(), own.test.pixels()), concat(mnist.test.labels(), test_labels),
                         kInputSide, kInputSide, classes),
              names,
              mnist.file_sha256,
              own.skipped};
  return out;
}

}  // namespace

Dataset load_dataset(const DatasetSource& source) {
  switch (source.kind()) {
    case DatasetSource::Kind::kMnist:
      return load_named_idx(source.dir(), "MNIST", {});
    case DatasetSource::Kind::kFashionMnist:
      return load_named_idx(source.dir(), "Fashion-MNIST", fashion_names());
    case DatasetSource::Kind::kEmnist:
      return load_emnist(source.dir(), source.split());
    case DatasetSource::Kind::kIdx:
      return load_idx_folder(source.dir());
    case DatasetSource::Kind::kFolder:
      return load_folder_dataset(source.dir());
    case DatasetSource::Kind::kMnistPlusFolder:
      return load_mnist_plus_folder(source);
  }
  throw std::logic_error("load_dataset: unknown dataset kind");
}

}  // namespace digitlab
