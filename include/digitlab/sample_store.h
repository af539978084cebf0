#pragma once
// A user's own samples: drawings filed under a class name, a folder per class (root/<name>/<time>.png), which
// "Add to my samples" and "Correct it" write and `folder:ROOT` / `mnist+folder:ROOT` datasets train on.
// Torch-free header.

#include <digitlab/gray_image.h>

#include <filesystem>
#include <map>
#include <string>

namespace digitlab {

/// The samples folder of one user.
class SampleStore {
 public:
  /// The store in `root` (created on the first add()).
  explicit SampleStore(std::filesystem::path root);

  /// Where the app keeps a user's samples: "my-samples" beside the MNIST data folder (default_data_dir()); throws
  /// what default_data_dir() throws.
  static std::filesystem::path default_root();

  /// Throws std::invalid_argument saying why `name` cannot name a class (empty, over 40 bytes, a control
  /// character, a slash, or a name that starts with a dot).
  static void check_class_name(const std::string& name);

  /// Files `drawing` under class `name` as a new PNG and returns its path. Throws std::invalid_argument for an
  /// unusable name or an empty drawing, std::runtime_error naming the file when it cannot be written.
  std::filesystem::path add(const std::string& name, const GrayImage& drawing) const;

  /// Samples per class, in name order (empty when the folder does not exist yet).
  std::map<std::string, int> counts() const;

  /// The folder.
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace digitlab
