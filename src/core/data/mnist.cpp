#include <digitlab/mnist.h>

#include "data/sha256.h"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

// Returns the variable's value, or an empty string if it is unset.
std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

fs::path require_mnist_file(const fs::path& dir, const std::string& name) {
  if (auto path = find_mnist_file(dir, name)) return *path;
  throw std::runtime_error("MNIST file " + name + "(.gz) not found in " + dir.string() +
                           " (use --data DIR, set DIGITLAB_DATA, or let DigitLab download it)");
}

}  // namespace

const std::array<MnistFile, 4>& mnist_files() {
  static const std::array<MnistFile, 4> kFiles = {{
      {"train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
      {"train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
      {"t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
      {"t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
  }};
  return kFiles;
}

fs::path default_data_dir() {
  if (const std::string dir = env_or_empty("DIGITLAB_DATA"); !dir.empty()) return dir;
  if (const std::string xdg = env_or_empty("XDG_DATA_HOME"); !xdg.empty()) return fs::path(xdg) / "digitlab" / "mnist";
  if (const std::string home = env_or_empty("HOME"); !home.empty()) {
    return fs::path(home) / ".local" / "share" / "digitlab" / "mnist";
  }
  throw std::runtime_error("cannot choose a data folder: DIGITLAB_DATA, XDG_DATA_HOME and HOME are all unset");
}

std::optional<fs::path> find_mnist_file(const fs::path& dir, const std::string& name) {
  for (const fs::path& candidate : {dir / name, dir / (name + ".gz")}) {
    if (is_file(candidate)) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> missing_mnist_files(const fs::path& dir) {
  std::vector<std::string> missing;
  for (const MnistFile& file : mnist_files()) {
    if (!find_mnist_file(dir, file.name)) missing.emplace_back(file.name);
  }
  return missing;
}

MnistSet load_mnist(const fs::path& dir) {
  // Look for all four first, so a missing file is reported before any slow read.
  std::vector<fs::path> paths;
  for (const MnistFile& file : mnist_files()) paths.push_back(require_mnist_file(dir, file.name));
  return MnistSet{IdxDataset::load(paths[0], paths[1]), IdxDataset::load(paths[2], paths[3])};
}

std::vector<std::filesystem::path> verify_mnist(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> checked;
  for (const auto& f : mnist_files()) {
    const auto path = find_mnist_file(dir, f.name);
    if (!path) throw std::runtime_error(f.name + std::string(" not found in ") + dir.string());
    const std::string actual = sha256_of_content(*path);
    if (actual != f.sha256) {
      throw std::runtime_error(path->string() + ": checksum mismatch: expected " + f.sha256 + ", got " + actual);
    }
    checked.push_back(*path);
  }
  return checked;
}

}  // namespace digitlab
