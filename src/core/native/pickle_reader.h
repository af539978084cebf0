#pragma once
// Internal to digitlab_core: a reader of Python pickles that builds values and never runs anything. It knows the
// opcodes of protocol 2 that LibTorch's pickler writes (a TorchScript file's data.pkl) and records a global, a call
// (REDUCE, NEWOBJ) or a persistent id as a value to be interpreted by the caller, so a pickle cannot make it do more
// than allocate what its own bytes describe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace digitlab {

/// One unpickled value. Containers hold their items in `items`: a tuple's or list's elements; a dict's keys and
/// values in turn (k0, v0, k1, v1...); a call's callable and its argument tuple; an object's class, its NEWOBJ
/// arguments and its BUILD state (None until built); a persistent id's id.
struct PickleValue {
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kTuple, kList, kDict, kGlobal, kCall, kObject, kPersistentId };
  Kind kind = Kind::kNone;
  int64_t integer = 0;  ///< kBool (0 or 1) and kInt.
  double real = 0;      ///< kFloat.
  std::string text;     ///< kString; kGlobal: "module name", as GLOBAL writes it.
  std::vector<PickleValue*> items;  ///< Owned by the Pickle; a pickle may make cycles (a list inside itself).

  bool is(Kind k) const { return kind == k; }
  /// The value of a dict whose keys are strings, or nullptr. For kDict only.
  const PickleValue* find(std::string_view key) const;
};

/// A read pickle: its value and everything inside it.
class Pickle {
 public:
  /// Reads `bytes` as one pickle. Throws std::runtime_error saying what is wrong ("pickle: unknown opcode 0x63 at
  /// byte 40", "pickle: ends before STOP (truncated)") for anything it cannot read; callers name the file.
  explicit Pickle(std::string_view bytes);

  const PickleValue& root() const { return *root_; }

 private:
  friend class PickleMachine;
  std::vector<std::unique_ptr<PickleValue>> values_;
  const PickleValue* root_ = nullptr;
};

}  // namespace digitlab
