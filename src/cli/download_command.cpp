#include "cli_data.h"
#include "commands.h"
#include "interrupt_flag.h"
#include "progress_bar.h"

#include <digitlab/dataset_source.h>
#include <digitlab/emnist_downloader.h>
#include <digitlab/mnist.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace digitlab::cli {
namespace {

constexpr const char* kEmnist = "emnist";

// The EMNIST folder `--dataset emnist[:DIR]` names: DIR, else where train's emnist-SPLIT finds it by default.
std::filesystem::path emnist_dir(const std::string& dataset, const std::string& data_option) {
  if (dataset.size() > std::string(kEmnist).size()) return dataset.substr(std::string(kEmnist).size() + 1);
  return DatasetSource::parse("emnist-letters", resolve_data_dir(data_option)).dir();
}

std::string progress_label(const EmnistDownloader::Progress& p) {
  if (p.phase == EmnistDownloader::Progress::Phase::kDownload) return "Downloading " + p.file;
  return "Unpacking " + p.file + " (" + std::to_string(p.file_index + 1) + "/" + std::to_string(p.file_count) + ")";
}

// Fetches and unpacks every EMNIST split into `dir`, with a progress bar; Ctrl-C cancels.
void download_emnist(const std::filesystem::path& dir) {
  const auto& splits = DatasetSource::emnist_splits();
  if (!EmnistDownloader::missing_files(dir, splits).empty()) {
    std::fprintf(stderr, "Downloading EMNIST (about 536 MB) into %s\n", dir.string().c_str());
    const auto& interrupt = InterruptFlag::install();
    ProgressBar bar;
    std::string current;
    EmnistDownloader(EmnistDownloader::mirrors_from_environment())
        .ensure(dir, splits, [&](const EmnistDownloader::Progress& p) {
          if (p.file != current) {
            current = p.file;
            bar.restart();
          }
          const double fraction = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0.0;
          bar.update(progress_label(p), fraction, std::to_string(p.done >> 20) + " MiB");
          return !interrupt.raised();
        });
    bar.clear();
  }
  std::printf("EMNIST is in %s\n", dir.string().c_str());
}

}  // namespace

void add_download_command(CLI::App& app, CommandAction& action) {
  auto* cmd = app.add_subcommand("download", "Download MNIST (or EMNIST) into the data folder and verify it");
  auto data = std::make_shared<std::string>();
  auto dataset = std::make_shared<std::string>("mnist");
  auto verify = std::make_shared<bool>(false);
  cmd->add_option("--data", *data, "Data folder (default: $DIGITLAB_DATA or ~/.local/share/digitlab/mnist)");
  cmd->add_option("--dataset", *dataset,
                  "mnist (default), or emnist[:DIR]: NIST's EMNIST archive (about 536 MB, MD5-checked), unpacked "
                  "into DIR (default: the emnist folder beside the data folder, where train's emnist-SPLIT looks)")
      ->check([](const std::string& value) {
        const std::string with_folder = std::string(kEmnist) + ":";
        const bool ok = value == "mnist" || value == kEmnist ||
                        (value.size() > with_folder.size() && value.rfind(with_folder, 0) == 0);
        return ok ? std::string() : "expected mnist, emnist or emnist:DIR, got \"" + value + "\"";
      });
  cmd->add_flag("--verify", *verify, "Also check the SHA-256 of MNIST files already present");
  cmd->callback([&action, data, dataset, verify] {
    if (*dataset != "mnist" && *verify) {
      throw CLI::ValidationError("--verify", "checks MNIST only (EMNIST's archive is checked as it downloads)");
    }
    action = [data, dataset, verify] {
      if (*dataset != "mnist") {
        download_emnist(emnist_dir(*dataset, *data));
        return kExitOk;
      }
      const auto dir = resolve_data_dir(*data);
      ensure_mnist(dir, /*offline=*/false);
      if (*verify) {
        for (const auto& path : verify_mnist(dir)) std::printf("%s  OK\n", path.string().c_str());
      }
      std::printf("MNIST is in %s\n", dir.string().c_str());
      return kExitOk;
    };
  });
}

}  // namespace digitlab::cli
