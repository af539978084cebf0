#include "datasets/folder_dataset.h"

#include <digitlab/image_loader.h>
#include <digitlab/model_spec.h>
#include <digitlab/preprocessor.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr int kHoldOutEvery = 5;  // every fifth image of a class tests, when the folder has no split of its own

struct Sample {
  fs::path file;
  uint8_t label = 0;
};

bool is_image_file(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".pgm", ".ppm", ".pnm", ".psd"}) {
    if (ext == known) return true;
  }
  return false;
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool folders) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (folders ? entry.is_directory(ec) : (entry.is_regular_file(ec) && is_image_file(entry.path()))) {
      out.push_back(entry.path());
    }
  }
  if (ec) throw std::runtime_error(dir.string() + ": cannot list: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

bool has_own_split(const fs::path& root) {
  std::error_code ec;
  return fs::is_directory(root / "train", ec) && fs::is_directory(root / "test", ec);
}

// Every image file of each class folder, labelled with the class's index in `names`.
std::vector<Sample> list_samples(const fs::path& root, const std::vector<std::string>& names) {
  std::vector<Sample> samples;
  for (size_t c = 0; c < names.size(); ++c) {
    const fs::path dir = root / names[c];
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& file : sorted_entries(dir, /*folders=*/false)) samples.push_back({file, static_cast<uint8_t>(c)});
  }
  return samples;
}

// Decodes and preprocesses the samples on every core; a sample that fails keeps an empty image and a reason.
struct Rendered {
  std::vector<std::vector<uint8_t>> images;
  std::vector<std::string> failures;
};

Rendered render_all(const std::vector<Sample>& samples) {
  Rendered out{std::vector<std::vector<uint8_t>>(samples.size()), std::vector<std::string>(samples.size())};
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < samples.size(); i = next++) {
      try {
        const PreprocessResult r = preprocess(load_image(samples[i].file));
        if (r.found) {
          out.images[i] = r.input28.to_u8();
        } else {
          out.failures[i] = samples[i].file.string() + ": " + r.reason;
        }
      } catch (const std::exception& e) {
        out.failures[i] = e.what();
      }
    }
  };
  const unsigned threads = std::max(1u, std::min(std::thread::hardware_concurrency(), 16u));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

struct Split {
  std::vector<uint8_t> train_pixels, train_labels, test_pixels, test_labels;
};

void add(std::vector<uint8_t>& pixels, std::vector<uint8_t>& labels, const std::vector<uint8_t>& image, uint8_t label) {
  pixels.insert(pixels.end(), image.begin(), image.end());
  labels.push_back(label);
}

IdxDataset as_dataset(std::vector<uint8_t> pixels, std::vector<uint8_t> labels, int classes,
                      const std::string& if_empty) {
  if (labels.empty()) throw std::runtime_error(if_empty);
  return IdxDataset(std::move(pixels), std::move(labels), kInputSide, kInputSide, classes);
}

}  // namespace

std::map<std::string, int> count_folder_samples(const fs::path& root) {
  std::map<std::string, int> counts;
  for (const fs::path& base :
       has_own_split(root) ? std::vector<fs::path>{root / "train", root / "test"} : std::vector<fs::path>{root}) {
    for (const auto& dir : sorted_entries(base, /*folders=*/true)) {
      counts[dir.filename().string()] += static_cast<int>(sorted_entries(dir, /*folders=*/false).size());
    }
  }
  return counts;
}

Dataset load_folder_dataset(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw std::runtime_error(root.string() + ": not a folder");
  const bool own_split = has_own_split(root);
  const fs::path train_root = own_split ? root / "train" : root;
  std::vector<std::string> names;
  for (const auto& dir : sorted_entries(train_root, /*folders=*/true)) names.push_back(dir.filename().string());
  if (names.size() < 2) {
    throw std::runtime_error(train_root.string() + ": needs a folder per class, at least 2; found " +
                             std::to_string(names.size()));
  }
  if (names.size() > static_cast<size_t>(kMaxClasses)) {
    throw std::runtime_error(train_root.string() + ": " + std::to_string(names.size()) + " class folders; at most " +
                             std::to_string(kMaxClasses));
  }
  std::vector<Sample> train = list_samples(train_root, names);
  std::vector<Sample> test = own_split ? list_samples(root / "test", names) : std::vector<Sample>{};
  const size_t train_count = train.size();
  train.insert(train.end(), test.begin(), test.end());
  const Rendered rendered = render_all(train);

  Split split;
  std::vector<std::string> skipped;
  std::vector<int> seen(names.size(), 0);
  for (size_t i = 0; i < train.size(); ++i) {
    if (!rendered.failures[i].empty()) {
      skipped.push_back(rendered.failures[i]);
      continue;
    }
    const uint8_t label = train[i].label;
    const bool to_test = own_split ? i >= train_count : ++seen[label] % kHoldOutEvery == 0;
    if (to_test) {
      add(split.test_pixels, split.test_labels, rendered.images[i], label);
    } else {
      add(split.train_pixels, split.train_labels, rendered.images[i], label);
    }
  }
  const int classes = static_cast<int>(names.size());
  for (int c = 0; c < classes; ++c) {
    if (std::count(split.train_labels.begin(), split.train_labels.end(), c) == 0) {
      throw std::runtime_error((train_root / names[static_cast<size_t>(c)]).string() + ": no usable training image");
    }
  }
  const std::string no_test = own_split ? (root / "test").string() + ": no usable test image"
                                        : root.string() + ": too few images to hold out a test set (a class needs " +
                                              std::to_string(kHoldOutEvery) + " or more)";
  Dataset data{"folder " + root.filename().string(),
               as_dataset(std::move(split.train_pixels), std::move(split.train_labels), classes,
                          train_root.string() + ": no usable training image"),
               as_dataset(std::move(split.test_pixels), std::move(split.test_labels), classes, no_test),
               names,
               {},
               std::move(skipped)};
  return data;
}

}  // namespace digitlab
