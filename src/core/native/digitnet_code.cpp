#include "native/digitnet_code.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

namespace digitlab {
namespace {

/// One statement of forward's body: `target = torch.op(args)`, `target = self.attribute` or `return torch.op(args)`.
struct Statement {
  int line = 0;
  std::string target;     ///< Empty for the return.
  std::string attribute;  ///< Set for `target = self.attribute`.
  std::string op;         ///< "conv2d" for torch.conv2d.
  std::vector<std::string> args;
};

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(' ');
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

/// Splits "a, [1, 1], b" at the commas outside brackets.
std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> args;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '(') ++depth;
    if (c == ']' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      args.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) args.push_back(trim(current));
  return args;
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

/// Parses `rhs` as "torch.op(args)" into `s`; false for anything else. An argument that is itself a call
/// ("torch.div(torch.sub(image, 0.5), 0.25)": TorchScript's printer inlines values used once) is parsed first, into a
/// statement of its own appended to `nested` with a made-up target ("%1"), which the argument then names.
bool parse_call(const std::string& rhs, Statement& s, std::vector<Statement>& nested, int depth = 0) {
  if (depth > 64 || rhs.rfind("torch.", 0) != 0 || rhs.empty() || rhs.back() != ')') return false;
  const auto open = rhs.find('(');
  if (open == std::string::npos) return false;
  s.op = rhs.substr(6, open - 6);
  for (char c : s.op) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  s.args = split_args(rhs.substr(open + 1, rhs.size() - open - 2));
  for (auto& arg : s.args) {
    if (arg.rfind("torch.", 0) != 0) continue;
    Statement inner;
    inner.line = s.line;
    if (!parse_call(arg, inner, nested, depth + 1)) return false;
    inner.target = "%" + std::to_string(nested.size() + 1);
    arg = inner.target;
    nested.push_back(inner);
  }
  return true;
}

/// Reads forward's statements from the code; the reason on failure.
std::string read_forward(const std::string& code, std::vector<Statement>& body) {
  std::istringstream in(code);
  std::string raw;
  int line = 0, classes = 0, defs = 0;
  bool in_forward = false, signature_done = false;
  while (std::getline(in, raw)) {
    ++line;
    const std::string text = trim(raw);
    if (raw.rfind("class ", 0) == 0) ++classes;
    if (text.rfind("def ", 0) == 0) {
      ++defs;
      in_forward = text.rfind("def forward(self", 0) == 0;
      signature_done = text.back() == ':';
      continue;
    }
    if (!in_forward) continue;
    if (!signature_done) {
      signature_done = text.back() == ':';
      continue;
    }
    if (text.empty()) continue;
    Statement s;
    s.line = line;
    std::vector<Statement> nested;
    if (text.rfind("return ", 0) == 0) {
      if (!parse_call(text.substr(7), s, nested)) return "line " + std::to_string(line) + ": returns something else";
      body.insert(body.end(), nested.begin(), nested.end());
      body.push_back(s);
      in_forward = false;
      continue;
    }
    const auto eq = text.find(" = ");
    if (eq == std::string::npos) return "line " + std::to_string(line) + ": not an assignment";
    s.target = text.substr(0, eq);
    const std::string rhs = text.substr(eq + 3);
    if (rhs.rfind("self.", 0) == 0) {
      s.attribute = rhs.substr(5);
    } else if (!parse_call(rhs, s, nested)) {
      return "line " + std::to_string(line) + ": not a torch operation";
    }
    body.insert(body.end(), nested.begin(), nested.end());
    body.push_back(s);
  }
  if (classes != 1 || defs != 1) return "the code defines " + std::to_string(classes) + " classes and " +
                                        std::to_string(defs) + " methods, expected one class with forward only";
  if (body.empty() || !body.back().target.empty()) return "forward has no return";
  return {};
}

}  // namespace

std::string check_digitnet_code(const std::string& code, const ModelSpec& spec, DigitNetConstants& constants) {
  std::vector<Statement> body;
  if (auto why = read_forward(code, body); !why.empty()) return why;
  std::map<std::string, std::string> alias;  // local name -> attribute it reads
  std::string current = "image";             // the value the next operation must read
  size_t at = 0;
  std::string why;
  // The next operation, after the attribute reads before it: `op` on `current` with the given further arguments
  // ("@name": a local that holds attribute `name`; "#": a number, stored into the next of `numbers`; "~": anything;
  // else the literal text).
  const auto expect = [&](const std::string& op, const std::vector<std::string>& rest,
                          std::vector<double*> numbers = {}) {
    if (!why.empty()) return;
    while (at < body.size() && !body[at].attribute.empty()) {
      alias[body[at].target] = body[at].attribute;
      ++at;
    }
    if (at == body.size()) {
      why = "forward ends before torch." + op;
      return;
    }
    const Statement& s = body[at++];
    const std::string where = "line " + std::to_string(s.line) + ": ";
    if (s.op != op) {
      why = where + "expected torch." + op + ", found torch." + s.op;
      return;
    }
    if (s.args.size() != rest.size() + 1 || s.args[0] != current) {
      why = where + "torch." + op + " does not read the previous result";
      return;
    }
    size_t n = 0;
    for (size_t i = 0; i < rest.size(); ++i) {
      const std::string& arg = s.args[i + 1];
      const std::string& want = rest[i];
      const bool ok = want == "#"   ? n < numbers.size() && parse_number(arg, *numbers[n++])
                      : want == "~" ? true
                      : want[0] == '@' ? alias.count(arg) && alias[arg] == want.substr(1)
                                       : arg == want;
      if (!ok) {
        why = where + "torch." + op + " argument " + std::to_string(i + 2) + " is " + arg;
        return;
      }
    }
    alias.erase(s.target);
    current = s.target;
  };
  expect("sub", {"#"}, {&constants.mean});
  expect("div", {"#"}, {&constants.std});
  double eps = -1;
  for (int i = 0; i < spec.conv_count(); ++i) {
    const std::string c = "conv" + std::to_string(i + 1), b = "bn" + std::to_string(i + 1);
    expect("conv2d", {"@" + c + "_weight", "@" + c + "_bias", "[1, 1]", "[1, 1]"});
    expect("batch_norm", {"@" + b + "_weight", "@" + b + "_bias", "@" + b + "_running_mean", "@" + b + "_running_var",
                          "False", "~", "#", "False"},
           {&eps});
    if (why.empty() && i > 0 && eps != constants.eps) why = "its batch norms use different epsilons";
    constants.eps = eps;
    expect("relu", {});
    if (spec.ends_block(i)) expect("max_pool2d", {"[2, 2]"});
  }
  expect("flatten", {"1"});
  for (int i = 0; i < spec.dense_count(); ++i) {
    const std::string f = "fc" + std::to_string(i + 1);
    expect("linear", {"@" + f + "_weight", "@" + f + "_bias"});
    if (i + 1 < spec.dense_count()) expect("relu", {});
  }
  expect("softmax", {"1"});
  if (why.empty() && (at != body.size() || !body[at - 1].target.empty())) why = "forward does more than DigitNet";
  if (why.empty() && !(constants.std > 0 && constants.eps >= 0)) why = "its constants are out of range";
  return why;
}

}  // namespace digitlab
