#include "test_helpers.h"

#include <digitlab/torchscript.h>

#include <gtest/gtest.h>
#include <zlib.h>

#include <ftw.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace digitlab::testing {

void write_raw(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

void write_gz(const std::filesystem::path& file, const std::string& bytes) {
  gzFile out = gzopen(file.c_str(), "wb");
  ASSERT_NE(out, nullptr) << file;
  ASSERT_EQ(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(out), Z_OK);
}

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

torch::jit::Module digitnet_weights_with_another_forward(const std::string& name, const std::string& activation) {
  const auto digitnet = build_torchscript(random_net(5));
  torch::jit::Module other(name);
  for (const auto& p : digitnet.named_parameters(/*recurse=*/false)) other.register_parameter(p.name, p.value, false);
  for (const auto& b : digitnet.named_buffers(/*recurse=*/false)) other.register_buffer(b.name, b.value);
  std::string source = "def forward(self, image: Tensor) -> Tensor:\n    x = image\n";
  for (int i = 1; i <= ModelSpec::digits().conv_count(); ++i) {
    const std::string c = "self.conv" + std::to_string(i), b = "self.bn" + std::to_string(i);
    source += "    x = torch." + activation + "(torch.batch_norm(torch.conv2d(x, " + c + "_weight, " + c +
              "_bias, [1, 1], [1, 1]), " + b + "_weight, " + b + "_bias, " + b + "_running_mean, " + b +
              "_running_var, False, 0.0, 1e-05, False))\n";
    if (i % 2 == 0) source += "    x = torch.max_pool2d(x, [2, 2])\n";
  }
  source +=
      "    x = torch.relu(torch.linear(torch.flatten(x, 1), self.fc1_weight, self.fc1_bias))\n"
      "    return torch.softmax(torch.linear(x, self.fc2_weight, self.fc2_bias), 1)\n";
  other.define(source);
  other.eval();
  return other;
}

}  // namespace digitlab::testing
