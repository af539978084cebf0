#include <digitlab/dataset_source.h>

#include <algorithm>
#include <stdexcept>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr const char* kForms =
    "mnist[:DIR], fashion-mnist[:DIR], emnist-SPLIT[:DIR] (SPLIT: letters, balanced, byclass, bymerge, digits, "
    "mnist), idx:DIR, folder:DIR or mnist+folder:DIR";

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

[[noreturn]] void unknown(const std::string& text, const std::string& why) {
  throw std::invalid_argument("dataset \"" + text + "\": " + why + "; expected " + kForms);
}

}  // namespace

DatasetSource::DatasetSource(Kind kind, fs::path dir, std::string split)
    : kind_(kind), dir_(std::move(dir)), split_(std::move(split)) {}

const std::vector<std::string>& DatasetSource::emnist_splits() {
  static const std::vector<std::string> kSplits{"letters", "balanced", "byclass", "bymerge", "digits", "mnist"};
  return kSplits;
}

DatasetSource DatasetSource::parse(const std::string& text, const fs::path& mnist_dir) {
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const fs::path dir = colon == std::string::npos ? fs::path() : fs::path(text.substr(colon + 1));
  if (colon != std::string::npos && dir.empty()) unknown(text, "the folder after ':' is empty");
  const auto needs_dir = [&] {
    if (dir.empty()) unknown(text, "needs a folder");
  };
  if (kind == "mnist") return DatasetSource(Kind::kMnist, dir.empty() ? mnist_dir : dir);
  if (kind == "fashion-mnist") {
    return DatasetSource(Kind::kFashionMnist, dir.empty() ? fs::path(kDebianFashionMnistDir) : dir);
  }
  if (kind == "idx") return needs_dir(), DatasetSource(Kind::kIdx, dir);
  if (kind == "folder") return needs_dir(), DatasetSource(Kind::kFolder, dir);
  if (kind == "mnist+folder") {
    needs_dir();
    DatasetSource source(Kind::kMnistPlusFolder, dir);
    source.mnist_dir_ = mnist_dir;
    return source;
  }
  if (starts_with(kind, "emnist-")) {
    const std::string split = kind.substr(7);
    const auto& splits = emnist_splits();
    if (std::find(splits.begin(), splits.end(), split) == splits.end()) unknown(text, "no EMNIST split " + split);
    return DatasetSource(Kind::kEmnist, dir.empty() ? mnist_dir.parent_path() / "emnist" : dir, split);
  }
  unknown(text, "unknown kind \"" + kind + "\"");
}

std::string DatasetSource::text() const {
  switch (kind_) {
    case Kind::kMnist:
      return "mnist:" + dir_.string();
    case Kind::kFashionMnist:
      return "fashion-mnist:" + dir_.string();
    case Kind::kEmnist:
      return "emnist-" + split_ + ":" + dir_.string();
    case Kind::kIdx:
      return "idx:" + dir_.string();
    case Kind::kFolder:
      return "folder:" + dir_.string();
    case Kind::kMnistPlusFolder:
      return "mnist+folder:" + dir_.string();
  }
  return {};
}

}  // namespace digitlab
