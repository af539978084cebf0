#include "native/torchscript_archive.h"

#include "native/pickle_reader.h"
#include "util/byte_order.h"

#include <stdexcept>

namespace digitlab {
namespace {

using Kind = PickleValue::Kind;

bool is_int(const PickleValue* v) { return v != nullptr && v->is(Kind::kInt); }

/// The integers of a tuple, or false when it holds anything else.
bool int_tuple(const PickleValue* v, std::vector<int64_t>& out) {
  if (v == nullptr || !v->is(Kind::kTuple)) return false;
  out.clear();
  for (const auto* item : v->items) {
    if (!is_int(item)) return false;
    out.push_back(item->integer);
  }
  return true;
}

/// A tensor as LibTorch's pickler writes it: _rebuild_tensor_v2((storage id), offset, sizes, strides, ...), where the
/// storage id is ("storage", <dtype>Storage, key, location, numel). False for anything else.
bool tensor_ref(const PickleValue& v, TorchScriptArchive::TensorRef& ref) {
  if (!v.is(Kind::kCall) || v.items.size() != 2) return false;
  const auto* fn = v.items[0];
  const auto* args = v.items[1];
  if (!fn->is(Kind::kGlobal) || fn->text != "torch._utils _rebuild_tensor_v2" || args->items.size() < 4) return false;
  const auto* pid = args->items[0];
  if (!pid->is(Kind::kPersistentId) || pid->items.size() != 1) return false;
  const auto* id = pid->items[0];
  if (!id->is(Kind::kTuple) || id->items.size() != 5) return false;
  const auto& f = id->items;
  if (!f[0]->is(Kind::kString) || f[0]->text != "storage" || !f[1]->is(Kind::kGlobal) || !f[2]->is(Kind::kString) ||
      !f[3]->is(Kind::kString) || !is_int(f[4]) || !is_int(args->items[1])) {
    return false;
  }
  const std::string& type = f[1]->text;
  if (type.rfind("torch ", 0) != 0) return false;
  ref.dtype = type.substr(6);
  ref.storage = f[2]->text;
  ref.storage_numel = f[4]->integer;
  ref.offset = args->items[1]->integer;
  return int_tuple(args->items[2], ref.sizes) && int_tuple(args->items[3], ref.strides) &&
         ref.sizes.size() == ref.strides.size();
}

}  // namespace

TorchScriptArchive::TorchScriptArchive(const std::filesystem::path& path) : path_(path), zip_(path) {
  for (const auto& e : zip_.entries()) {
    const auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash + 1, std::string::npos, "data.pkl") == 0) {
      if (!prefix_.empty()) fail("two data.pkl entries");
      prefix_ = e.name.substr(0, slash + 1);
    }
  }
  if (prefix_.empty()) fail("not a TorchScript archive (no data.pkl)");
}

void TorchScriptArchive::fail(const std::string& what) const {
  throw std::runtime_error(path_.string() + ": " + what);
}

bool TorchScriptArchive::has(const std::string& name) const { return zip_.find(prefix_ + name) != nullptr; }

std::vector<std::string> TorchScriptArchive::names() const {
  std::vector<std::string> names;
  for (const auto& e : zip_.entries()) {
    if (e.name.rfind(prefix_, 0) == 0) names.push_back(e.name.substr(prefix_.size()));
  }
  return names;
}

std::string TorchScriptArchive::text(const std::string& name, uint64_t max_size) const {
  const auto* entry = zip_.find(prefix_ + name);
  if (entry == nullptr) fail("no entry " + name);
  return zip_.read(*entry, max_size);
}

std::map<std::string, TorchScriptArchive::TensorRef> TorchScriptArchive::module_tensors() const {
  const std::string bytes = text("data.pkl");
  std::map<std::string, TensorRef> tensors;
  try {
    const Pickle pickle(bytes);
    const PickleValue& module = pickle.root();
    if (!module.is(Kind::kObject) || module.items.size() != 3 || !module.items[2]->is(Kind::kDict)) {
      fail("data.pkl does not hold a module object");
    }
    const auto& state = module.items[2]->items;
    for (size_t i = 0; i + 1 < state.size(); i += 2) {
      TensorRef ref;
      if (state[i]->is(Kind::kString) && tensor_ref(*state[i + 1], ref)) tensors[state[i]->text] = ref;
    }
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.rfind(path_.string() + ": ", 0) == 0) throw;
    fail("data.pkl: " + what);
  }
  return tensors;
}

FloatArray TorchScriptArchive::read(const std::string& name, const TensorRef& ref) const {
  const auto bad = [&](const std::string& what) { fail("tensor " + name + ": " + what); };
  if (ref.dtype != "FloatStorage") bad("stored as " + ref.dtype + ", not float");
  constexpr int64_t kMaxNumel = static_cast<int64_t>(kMaxModelBytes / sizeof(float));
  if (ref.storage_numel < 0 || ref.storage_numel > kMaxNumel) bad("storage of " + std::to_string(ref.storage_numel) + " values");
  if (ref.offset < 0) bad("negative offset");
  FloatArray out;
  out.shape = ref.sizes;
  int64_t numel = 1, last = ref.offset;
  for (size_t d = 0; d < ref.sizes.size(); ++d) {
    if (ref.sizes[d] < 0 || ref.strides[d] < 0) bad("negative size or stride");
    if (ref.sizes[d] == 0) numel = 0;
    if (numel > 0 && ref.sizes[d] > kMaxNumel / numel) bad("too many values");
    numel *= ref.sizes[d];
  }
  for (size_t d = 0; numel > 0 && d < ref.sizes.size(); ++d) {
    if (ref.strides[d] > kMaxNumel) bad("stride past its storage");
    last += (ref.sizes[d] - 1) * ref.strides[d];
  }
  if (numel > 0 && last >= ref.storage_numel) bad("view reaches past its storage");
  const auto* entry = zip_.find(prefix_ + "data/" + ref.storage);
  if (entry == nullptr) bad("no storage entry data/" + ref.storage);
  if (entry->size != static_cast<uint64_t>(ref.storage_numel) * sizeof(float)) {
    bad("storage data/" + ref.storage + " holds " + std::to_string(entry->size) + " bytes, expected " +
        std::to_string(ref.storage_numel * static_cast<int64_t>(sizeof(float))));
  }
  const std::string storage = zip_.read(*entry, kMaxModelBytes);
  out.values.resize(static_cast<size_t>(numel));
  // Row-major walk over the view: an index per dimension, the storage position kept in step.
  std::vector<int64_t> index(ref.sizes.size(), 0);
  int64_t at = ref.offset;
  for (int64_t i = 0; i < numel; ++i) {
    out.values[static_cast<size_t>(i)] =
        detail::load_le_float(reinterpret_cast<const uint8_t*>(storage.data()) + at * sizeof(float));
    for (size_t d = ref.sizes.size(); d-- > 0;) {
      at += ref.strides[d];
      if (++index[d] < ref.sizes[d]) break;
      at -= ref.strides[d] * ref.sizes[d];
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace digitlab
