#include "datasets/idx_files.h"

#include <digitlab/mnist.h>

#include "data/sha256.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

fs::path require_file(const fs::path& dir, const std::string& name, const std::string& set) {
  if (auto path = find_mnist_file(dir, name)) return *path;
  throw std::runtime_error(set + " file " + name + "(.gz) not found in " + dir.string());
}

std::string trimmed(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
}

int largest_label(const IdxDataset& data) {
  const auto& labels = data.labels();
  return labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end());
}

}  // namespace

Dataset load_idx_files(const fs::path& dir, const std::string& prefix, const std::string& name) {
  const char* const kNames[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "test-images-idx3-ubyte",
                                "test-labels-idx1-ubyte"};
  std::vector<std::string> stems;
  std::vector<fs::path> paths;
  for (const char* file : kNames) {
    std::string stem = prefix + file;
    // MNIST and its likes call the test files t10k-...; EMNIST calls them <prefix>test-....
    if (prefix.empty() && stem.rfind("test-", 0) == 0) stem = "t10k-" + stem.substr(5);
    paths.push_back(require_file(dir, stem, name));
    stems.push_back(stem);
  }
  Dataset data{name,
               IdxDataset::load(paths[0], paths[1], kMaxClasses),
               IdxDataset::load(paths[2], paths[3], kMaxClasses),
               {},
               {},
               {}};
  // Keyed by the name without ".gz", like MNIST's published checksums: the hash is of the content.
  for (size_t i = 0; i < paths.size(); ++i) data.file_sha256.emplace_back(stems[i], sha256_of_content(paths[i]));
  return data;
}

std::vector<std::string> read_class_names(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (const std::string name = trimmed(line); !name.empty()) names.push_back(name);
  }
  if (in.bad()) throw std::runtime_error(file.string() + ": read error");
  if (names.empty()) throw std::runtime_error(file.string() + ": names no class (one name per line expected)");
  return names;
}

void name_classes(Dataset& data, std::vector<std::string> names, const std::string& where) {
  const int classes = static_cast<int>(names.size());
  const int largest = std::max(largest_label(data.train), largest_label(data.test));
  if (largest >= classes) {
    throw std::runtime_error(where + ": label " + std::to_string(largest) + " but only " + std::to_string(classes) +
                             " class names");
  }
  if (classes < 2) throw std::runtime_error(where + ": needs at least 2 classes, found " + std::to_string(classes));
  auto train_labels = data.train.labels();
  auto test_labels = data.test.labels();
  data.train = std::move(data.train).with_labels(std::move(train_labels), classes);
  data.test = std::move(data.test).with_labels(std::move(test_labels), classes);
  data.class_names = std::move(names);
}

std::vector<std::string> index_names(const Dataset& data) {
  const int classes = std::max(largest_label(data.train), largest_label(data.test)) + 1;
  std::vector<std::string> names;
  for (int i = 0; i < classes; ++i) names.push_back(std::to_string(i));
  return names;
}

}  // namespace digitlab
