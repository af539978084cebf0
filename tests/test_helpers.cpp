#include "test_helpers.h"

#include <ftw.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace digitlab::testing {

std::string run_command(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return "(cannot run " + command + ")";
  std::string output;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) output += buf.data();
  return output;
}

std::vector<float> parse_floats(const std::string& text) {
  std::istringstream in(text);
  std::vector<float> values;
  for (float v; in >> v;) values.push_back(v);
  return values;
}

DigitNet random_net(uint64_t seed, const ModelSpec& spec) {
  torch::manual_seed(seed);
  DigitNet net(spec);
  torch::NoGradGuard no_grad;
  for (int i = 0; i < spec.conv_count(); ++i) {
    net->bn(i)->running_mean.uniform_(-0.5, 0.5);
    net->bn(i)->running_var.uniform_(0.5, 2.0);
    net->bn(i)->weight.uniform_(0.5, 1.5);
    net->bn(i)->bias.uniform_(-0.2, 0.2);
  }
  net->eval();
  return net;
}

// POSIX calls rather than std::filesystem's temp_directory_path() and remove_all(): PyTorch 2.x wheels export
// copies of libstdc++'s filesystem functions (pytorch/pytorch#133437) that the dynamic linker binds our calls to,
// and with PyTorch 2.11 every test that made a TempDir crashed.
TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/digitlab-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary folder from " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() { remove_tree(path_); }

void remove_tree(const std::filesystem::path& path) {
  // Depth first, without following links: files and folders go before the folder holding them.
  const auto remove_entry = [](const char* entry, const struct stat*, int, struct FTW*) {
    ::remove(entry);
    return 0;  // keep going: remove what can be removed
  };
  nftw(path.c_str(), remove_entry, /*nopenfd=*/16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace digitlab::testing
