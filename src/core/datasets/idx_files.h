#pragma once
// The IDX files of one dataset in one folder: <prefix>train-images-idx3-ubyte and its three siblings, raw or
// gzipped, as MNIST, Fashion-MNIST, EMNIST ("emnist-letters-") and any MNIST-like set name them.

#include <digitlab/dataset.h>

#include <filesystem>
#include <string>

namespace digitlab {

/// Loads `dir`'s four IDX files named with `prefix` with labels as stored (0..255), and records each file's
/// content SHA-256 in the result. The class names are left empty. Throws std::runtime_error naming the first
/// missing file and `dir`, or what IdxDataset::load throws.
Dataset load_idx_files(const std::filesystem::path& dir, const std::string& prefix, const std::string& name);

/// Reads one class name per line from `file` (blank lines and surrounding spaces ignored); throws
/// std::runtime_error naming the file when it cannot be read or names no class.
std::vector<std::string> read_class_names(const std::filesystem::path& file);

/// Relabels `data` for `names`: checks that every label is below names.size() and sets the class count; throws
/// std::runtime_error naming `where` and the first label beyond the names.
void name_classes(Dataset& data, std::vector<std::string> names, const std::string& where);

/// The class indices as names, for labels 0..(largest label in train and test).
std::vector<std::string> index_names(const Dataset& data);

}  // namespace digitlab
