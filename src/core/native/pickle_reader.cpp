#include "native/pickle_reader.h"

#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace digitlab {
namespace {

using Kind = PickleValue::Kind;

// Bounds on what a pickle may build: far above a model's needs (DigitNet's data.pkl has about 1,200 opcodes).
constexpr size_t kMaxStack = 1 << 20;
constexpr size_t kMaxMemo = 1 << 20;
constexpr size_t kMaxItems = 1 << 22;

using PickleRef = PickleValue*;

}  // namespace

class PickleMachine {
 public:
  PickleMachine(std::string_view bytes, std::vector<std::unique_ptr<PickleValue>>& values)
      : bytes_(bytes), values_(values) {}

  PickleRef run() {
    while (true) {
      const size_t at = pos_;
      const auto op = static_cast<uint8_t>(take(1)[0]);
      switch (op) {
        case 0x80: take(1); break;                       // PROTO
        case 0x95: take(8); break;                       // FRAME (protocol 4)
        case '.': return finish(at);                     // STOP
        case '(': marks_.push_back(stack_.size()); break;  // MARK
        case 'N': push(make(Kind::kNone)); break;
        case 0x88: push(boolean(true)); break;   // NEWTRUE
        case 0x89: push(boolean(false)); break;  // NEWFALSE
        case 'K': push(integer(static_cast<uint8_t>(take(1)[0]))); break;  // BININT1
        case 'M': push(integer(static_cast<int64_t>(le(take(2))))); break;  // BININT2
        case 'J': push(integer(static_cast<int32_t>(le(take(4))))); break;  // BININT
        case 0x8a: push(long1(at)); break;                                  // LONG1
        case 'G': push(real(take(8))); break;                               // BINFLOAT
        case 'X': push(string(take(static_cast<size_t>(le(take(4)))))); break;  // BINUNICODE
        case 0x8c: push(string(take(static_cast<uint8_t>(take(1)[0])))); break;  // SHORT_BINUNICODE
        case 'c': push(global()); break;  // GLOBAL
        case ')': push(make(Kind::kTuple)); break;  // EMPTY_TUPLE
        case 't': push(collect(Kind::kTuple, since_mark(at))); break;  // TUPLE
        case 0x85: push(collect(Kind::kTuple, 1)); break;  // TUPLE1
        case 0x86: push(collect(Kind::kTuple, 2)); break;  // TUPLE2
        case 0x87: push(collect(Kind::kTuple, 3)); break;  // TUPLE3
        case ']': push(make(Kind::kList)); break;  // EMPTY_LIST
        case '}': push(make(Kind::kDict)); break;  // EMPTY_DICT
        case 'a': extend(Kind::kList, 1, at); break;  // APPEND
        case 'e': extend(Kind::kList, since_mark(at), at); break;  // APPENDS
        case 's': extend(Kind::kDict, 2, at); break;  // SETITEM
        case 'u': extend(Kind::kDict, since_mark(at), at); break;  // SETITEMS
        case 'q': memo_put(le(take(1))); break;  // BINPUT
        case 'r': memo_put(le(take(4))); break;  // LONG_BINPUT
        case 0x94: memo_put(memo_.size()); break;  // MEMOIZE
        case 'h': push(memo_get(le(take(1)), at)); break;  // BINGET
        case 'j': push(memo_get(le(take(4)), at)); break;  // LONG_BINGET
        case 'Q': {  // BINPERSID
          auto id = make(Kind::kPersistentId);
          id->items.push_back(pop(at));
          push(id);
          break;
        }
        case 'R':     // REDUCE: callable(*args)
        case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
          auto args = pop(at);
          auto callable = pop(at);
          if (!args->is(Kind::kTuple)) fail("arguments that are not a tuple", at);
          auto v = make(op == 'R' ? Kind::kCall : Kind::kObject);
          v->items = {callable, args};
          if (op == 0x81) v->items.push_back(make(Kind::kNone));
          push(v);
          break;
        }
        case 'b': {  // BUILD: sets the state of the object below it
          auto state = pop(at);
          const auto& target = top(at);
          if (!target->is(Kind::kObject)) fail("BUILD of something that is not an object", at);
          target->items[2] = state;
          break;
        }
        default: fail("unknown opcode 0x" + hex(op), at);
      }
    }
  }

 private:
  PickleRef make(Kind kind) {
    if (values_.size() >= kMaxItems) throw std::runtime_error("pickle: too many values");
    values_.push_back(std::make_unique<PickleValue>());
    values_.back()->kind = kind;
    return values_.back().get();
  }

  [[noreturn]] static void fail(const std::string& what, size_t at) {
    throw std::runtime_error("pickle: " + what + " at byte " + std::to_string(at));
  }

  static std::string hex(uint8_t byte) {
    static const char digits[] = "0123456789abcdef";
    return {digits[byte >> 4], digits[byte & 15]};
  }

  std::string_view take(size_t n) {
    if (n > bytes_.size() - pos_) throw std::runtime_error("pickle: ends before STOP (truncated)");
    const auto piece = bytes_.substr(pos_, n);
    pos_ += n;
    return piece;
  }

  static uint64_t le(std::string_view b) {
    uint64_t v = 0;
    for (size_t i = b.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
  }

  PickleRef boolean(bool b) {
    auto v = make(Kind::kBool);
    v->integer = b ? 1 : 0;
    return v;
  }

  PickleRef integer(int64_t i) {
    auto v = make(Kind::kInt);
    v->integer = i;
    return v;
  }

  PickleRef long1(size_t at) {
    const auto n = static_cast<uint8_t>(take(1)[0]);
    if (n > 8) fail("integer of " + std::to_string(n) + " bytes", at);
    const auto bytes = take(n);
    uint64_t raw = le(bytes);
    if (n > 0 && n < 8 && (static_cast<uint8_t>(bytes[n - 1]) & 0x80)) raw |= ~uint64_t{0} << (8 * n);  // sign
    return integer(static_cast<int64_t>(raw));
  }

  PickleRef real(std::string_view b) {
    uint64_t bits = 0;
    for (char c : b) bits = (bits << 8) | static_cast<uint8_t>(c);  // big-endian
    auto v = make(Kind::kFloat);
    std::memcpy(&v->real, &bits, sizeof bits);
    return v;
  }

  PickleRef string(std::string_view text) {
    auto v = make(Kind::kString);
    v->text.assign(text);
    return v;
  }

  std::string_view line() {
    const size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) throw std::runtime_error("pickle: ends before STOP (truncated)");
    const auto text = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return text;
  }

  PickleRef global() {
    auto v = make(Kind::kGlobal);
    v->text.assign(line());
    v->text += ' ';
    v->text.append(line());
    return v;
  }

  void push(PickleRef v) {
    if (stack_.size() >= kMaxStack) throw std::runtime_error("pickle: too many values");
    stack_.push_back(std::move(v));
  }

  PickleRef pop(size_t at) {
    if (stack_.size() <= floor()) fail("an operation needs a value the stack lacks", at);
    auto v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }

  const PickleRef& top(size_t at) const {
    if (stack_.size() <= floor()) fail("an operation needs a value the stack lacks", at);
    return stack_.back();
  }

  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }

  /// The number of values above the last MARK, which is removed.
  size_t since_mark(size_t at) {
    if (marks_.empty()) fail("no MARK", at);
    const size_t n = stack_.size() - marks_.back();
    marks_.pop_back();
    return n;
  }

  PickleRef collect(Kind kind, size_t n) {
    if (n > stack_.size() - floor()) throw std::runtime_error("pickle: a tuple needs more values than the stack holds");
    auto v = make(kind);
    v->items.assign(std::make_move_iterator(stack_.end() - static_cast<std::ptrdiff_t>(n)),
                    std::make_move_iterator(stack_.end()));
    stack_.resize(stack_.size() - n);
    return v;
  }

  /// APPEND(S) and SETITEM(S): moves the top n values into the container below them.
  void extend(Kind kind, size_t n, size_t at) {
    if (kind == Kind::kDict && n % 2 != 0) fail("a key without a value", at);
    if (n + 1 > stack_.size() - floor()) fail("no container to add to", at);
    const auto& target = stack_[stack_.size() - n - 1];
    if (!target->is(kind)) fail(kind == Kind::kDict ? "SETITEM on a non-dict" : "APPEND on a non-list", at);
    if (target->items.size() + n > kMaxItems) fail("a container with too many items", at);
    target->items.insert(target->items.end(), std::make_move_iterator(stack_.end() - static_cast<std::ptrdiff_t>(n)),
                         std::make_move_iterator(stack_.end()));
    stack_.resize(stack_.size() - n);
  }

  void memo_put(uint64_t index) {
    if (stack_.empty()) throw std::runtime_error("pickle: PUT with an empty stack");
    if (memo_.size() >= kMaxMemo && !memo_.count(index)) throw std::runtime_error("pickle: too many memo entries");
    memo_[index] = stack_.back();
  }

  PickleRef memo_get(uint64_t index, size_t at) const {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("GET of memo entry " + std::to_string(index) + ", which was never PUT", at);
    return it->second;
  }

  PickleRef finish(size_t at) {
    if (stack_.size() != 1 || !marks_.empty()) fail("STOP with " + std::to_string(stack_.size()) + " values left", at);
    if (pos_ != bytes_.size()) fail("bytes after STOP", pos_);
    return stack_.back();
  }

  std::string_view bytes_;
  size_t pos_ = 0;
  std::vector<PickleRef> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleRef> memo_;
  std::vector<std::unique_ptr<PickleValue>>& values_;
};

const PickleValue* PickleValue::find(std::string_view key) const {
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i]->is(PickleValue::Kind::kString) && items[i]->text == key) return items[i + 1];
  }
  return nullptr;
}

Pickle::Pickle(std::string_view bytes) { root_ = PickleMachine(bytes, values_).run(); }

}  // namespace digitlab
