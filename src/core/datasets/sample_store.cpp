#include <digitlab/sample_store.h>

#include <digitlab/mnist.h>
#include <digitlab/png_writer.h>

#include "datasets/folder_dataset.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <stdexcept>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxNameBytes = 40;

// "20261130-114502-123": sortable in the order the samples were made.
std::string time_stamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm parts{};
  localtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &parts);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char millis[8];
  std::snprintf(millis, sizeof millis, "-%03d", static_cast<int>(ms));
  return std::string(text) + millis;
}

}  // namespace

SampleStore::SampleStore(fs::path root) : root_(std::move(root)) {}

fs::path SampleStore::default_root() { return default_data_dir().parent_path() / "my-samples"; }

void SampleStore::check_class_name(const std::string& name) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument("\"" + name + "\" cannot name a class: " + why);
  };
  if (name.empty()) fail("it is empty");
  if (name.size() > kMaxNameBytes) fail("it is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  if (name.front() == '.') fail("it starts with a dot");
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos) fail("it holds a slash");
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    fail("it holds a control character");
  }
}

fs::path SampleStore::add(const std::string& name, const GrayImage& drawing) const {
  check_class_name(name);
  if (drawing.empty()) throw std::invalid_argument("nothing to add: the drawing is empty");
  const fs::path dir = root_ / name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  const std::string stem = time_stamp();
  fs::path file = dir / (stem + ".png");
  for (int n = 2; fs::exists(file, ec); ++n) file = dir / (stem + "-" + std::to_string(n) + ".png");
  write_png(file, drawing);
  return file;
}

std::map<std::string, int> SampleStore::counts() const {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return {};
  return count_folder_samples(root_);
}

}  // namespace digitlab
