#include "cli_data.h"

#include "interrupt_flag.h"
#include "progress_bar.h"

#include <digitlab/mnist.h>
#include <digitlab/mnist_downloader.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace digitlab::cli {
namespace {

std::vector<std::string> mirrors_from_environment() {
  const char* env = std::getenv("DIGITLAB_MNIST_MIRRORS");
  if (env == nullptr || *env == '\0') return MnistDownloader::default_mirrors();
  std::vector<std::string> mirrors;
  std::stringstream list(env);
  for (std::string item; std::getline(list, item, ',');) {
    if (item.empty()) continue;
    if (item.back() != '/') item += '/';
    mirrors.push_back(item);
  }
  return mirrors;
}

}  // namespace

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
  std::fprintf(stderr, "MNIST is missing from %s; downloading %zu file(s)\n", dir.string().c_str(),
               missing.size());
  const auto& interrupt = InterruptFlag::install();
  ProgressBar bar;
  std::string current;
  MnistDownloader(mirrors_from_environment())
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

}  // namespace digitlab::cli
