#pragma once

#include <digitlab/dataset_source.h>

#include <filesystem>
#include <string>

namespace digitlab::cli {

/// The data folder: --data if given, else DIGITLAB_DATA, else the XDG default.
std::filesystem::path resolve_data_dir(const std::string& option);

/// Downloads whatever MNIST files are missing from dir, with a progress bar, unless offline
/// (then a missing file is an error naming it). Mirrors come from DIGITLAB_MNIST_MIRRORS
/// (comma-separated base URLs) when set. Throws std::runtime_error on failure.
void ensure_mnist(const std::filesystem::path& dir, bool offline);

/// Help text of the --dataset option shared by train and eval.
extern const char* const kDatasetHelp;

/// The dataset --dataset names (MNIST in the --data folder when empty), with MNIST downloaded first when it is
/// part of it and missing (unless offline). Throws std::invalid_argument for an unknown form.
DatasetSource resolve_dataset(const std::string& dataset, const std::string& data_option, bool offline);

}  // namespace digitlab::cli
