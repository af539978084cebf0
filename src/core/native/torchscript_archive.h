#pragma once
// Internal to digitlab_core: a TorchScript file read as data, without LibTorch and without running any of it: the
// entries of its ZIP archive, the tensors its module object stores (data.pkl and data/N), its code as text.
// NativeModel reads DigitLab's own models through it.

#include "native/model_limits.h"
#include "util/zip_reader.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace digitlab {

/// A float tensor, row-major.
struct FloatArray {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

class TorchScriptArchive {
 public:
  /// Where a tensor attribute of the module lies: which storage, and the view of it.
  struct TensorRef {
    std::string storage;  ///< Storage key: the entry data/<storage>.
    std::string dtype;    ///< The storage class ("FloatStorage").
    int64_t storage_numel = 0;
    int64_t offset = 0;
    std::vector<int64_t> sizes, strides;
  };

  /// Largest data.pkl or code file read (each). Tensors are bounded by kMaxModelBytes, the card by
  /// kMaxModelCardBytes (native/model_limits.h).
  static constexpr uint64_t kMaxTextBytes = uint64_t{16} << 20;

  /// Opens `path` and reads its directory. Throws std::runtime_error "<path>: <what>" when it is not a ZIP archive
  /// or not laid out as TorchScript writes (one top folder holding data.pkl).
  explicit TorchScriptArchive(const std::filesystem::path& path);

  /// Whether the archive holds `name` (relative to its top folder: "extra/digitlab.json", "code/__torch__.py").
  bool has(const std::string& name) const;
  /// The names of its entries, relative to the top folder.
  std::vector<std::string> names() const;
  /// The content of entry `name`; throws std::runtime_error naming the file and entry when it is missing, larger
  /// than `max_size` or corrupt.
  std::string text(const std::string& name, uint64_t max_size = kMaxTextBytes) const;

  /// The tensors the module object of data.pkl stores at its top level, by attribute name. Throws
  /// std::runtime_error naming the file when data.pkl is unreadable or not a module object; attributes that are not
  /// tensors are left out.
  std::map<std::string, TensorRef> module_tensors() const;
  /// The values of one tensor, gathered row-major. Throws std::runtime_error naming the file and `name` when it is
  /// not float, its view reaches past its storage, or its storage entry has the wrong size.
  FloatArray read(const std::string& name, const TensorRef& ref) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path path_;
  ZipReader zip_;
  std::string prefix_;  ///< The top folder, with its slash.
};

}  // namespace digitlab
