#include "cli_data.h"

#include "interrupt_flag.h"
#include "progress_bar.h"

#include <digitlab/mnist.h>
#include <digitlab/mnist_downloader.h>

#include <cstdio>
#include <stdexcept>

namespace digitlab::cli {
std::filesystem::path resolve_data_dir(const std::string& option) {
  return option.empty() ? default_data_dir() : std::filesystem::path(option);
}

void ensure_mnist(const std::filesystem::path& dir, bool offline) {
  const auto missing = missing_mnist_files(dir);
  if (missing.empty()) return;
  if (offline) {
    load_mnist(dir);  // throws, naming the first missing file
    return;
  }
  std::fprintf(stderr, "MNIST is missing from %s; downloading %zu file(s)\n", dir.string().c_str(), missing.size());
  const auto& interrupt = InterruptFlag::install();
  ProgressBar bar;
  std::string current;
  MnistDownloader(MnistDownloader::mirrors_from_environment())
      .ensure(dir, [&](const MnistDownloader::DownloadProgress& p) {
        if (p.file != current) {
          current = p.file;
          bar.restart();
        }
        const double fraction = p.total > 0 ? static_cast<double>(p.received) / static_cast<double>(p.total) : 0.0;
        bar.update(p.file + " (" + std::to_string(p.file_index + 1) + "/" + std::to_string(p.file_count) + ")",
                   fraction, std::to_string(p.received / 1024) + " KiB");
        return !interrupt.raised();
      });
  bar.clear();
  std::fprintf(stderr, "MNIST ready in %s\n", dir.string().c_str());
}

const char* const kDatasetHelp =
    "What to learn: mnist (default), fashion-mnist[:DIR], emnist-SPLIT[:DIR] (letters, balanced, byclass, "
    "bymerge, digits, mnist), idx:DIR (MNIST-like files, names in classes.txt), folder:DIR (a folder per class "
    "of images), mnist+folder:DIR (MNIST plus your own samples)";

DatasetSource resolve_dataset(const std::string& dataset, const std::string& data_option, bool offline) {
  const auto mnist_dir = resolve_data_dir(data_option);
  const DatasetSource source = DatasetSource::parse(dataset.empty() ? "mnist" : dataset, mnist_dir);
  if (source.kind() == DatasetSource::Kind::kMnist) ensure_mnist(source.dir(), offline);
  if (source.kind() == DatasetSource::Kind::kMnistPlusFolder) ensure_mnist(source.mnist_dir(), offline);
  return source;
}

}  // namespace digitlab::cli
