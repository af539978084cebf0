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

}  // namespace digitlab::testing
