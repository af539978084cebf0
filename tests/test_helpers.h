#pragma once
// Small helpers shared by the test files: a temporary folder per test, paths to the shared data.

#include <digitlab/digit_net.h>

#include <torch/script.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace digitlab::testing {

/// A fresh folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Removes a file or a folder with everything in it (POSIX calls, not std::filesystem: see test_helpers.cpp).
void remove_tree(const std::filesystem::path& path);

/// Runs a shell command and returns what it printed (stdout and stderr).
std::string run_command(const std::string& command);

/// Every number in text, in order.
std::vector<float> parse_floats(const std::string& text);

/// A DigitNet in eval mode with random weights (from `seed`) and non-trivial batch-norm statistics, so that
/// folding or exporting the batch norms matters and the probabilities are far from one-hot.
DigitNet random_net(uint64_t seed, const ModelSpec& spec = ModelSpec::digits());

/// A module called `name` holding random_net(5)'s weights under the names build_torchscript gives them, whose forward
/// is not DigitNet's: no input normalization, and `activation` ("relu", "sigmoid") after each batch norm.
torch::jit::Module digitnet_weights_with_another_forward(const std::string& name, const std::string& activation);

/// The MNIST folder the build was configured with (DIGITLAB_MNIST_DIR).
inline std::filesystem::path mnist_dir() { return DIGITLAB_MNIST_DIR; }

/// The bundled model, models/digitnet.pt in the source tree.
inline std::filesystem::path shipped_model() {
  return std::filesystem::path(DIGITLAB_SOURCE_DIR) / "models/digitnet.pt";
}

/// Writes `bytes` to `file` as they are.
void write_raw(const std::filesystem::path& file, const std::string& bytes);

/// Writes `bytes` to `file` gzip-compressed; a failure fails the calling test.
void write_gz(const std::filesystem::path& file, const std::string& bytes);

}  // namespace digitlab::testing
