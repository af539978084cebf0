#include "test_helpers.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <memory>
#include <sstream>
#include <chrono>

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

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  path_ = std::filesystem::temp_directory_path() /
          ("digitlab-test-" + std::to_string(getpid()) + "-" + std::to_string(stamp) + "-" +
           std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace digitlab::testing
