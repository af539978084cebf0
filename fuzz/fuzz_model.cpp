// libFuzzer target for DigitLab's model check (src/core/model/model_check.cpp): the judgement made before any of
// a model file runs. Each input is used two ways:
//   - as a model file: its ZIP directory is read and judged (sizes, __setstate__) as load_torchscript() does before
//     LibTorch opens it; this must never crash, whatever the bytes;
//   - as TorchScript source for forward: what compiles is inspected by unsafe_operation(), which must never crash
//     and must never pass a graph holding an operation outside the allowlist (checked here independently).
//
//   CXX=clang++ cmake -S . -B build-fuzz -DDIGITLAB_FUZZ=ON -DDIGITLAB_GUI=OFF -DDIGITLAB_TESTS=OFF
//   cmake --build build-fuzz --target fuzz_model
//   ASAN_OPTIONS=detect_leaks=0 build-fuzz/fuzz/fuzz_model -max_total_time=600 -dict=fuzz/model.dict CORPUS_DIR
// (detect_leaks=0: LibTorch keeps small allocations from compiling TorchScript for the life of the process)
// Seeds: any DigitLab model file (models/digitnet.pt) and a few lines of TorchScript (see fuzz/model.dict).

#include <digitlab/model_safety.h>

#include "model/model_check.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

namespace {

/// The operations a graph may hold when unsafe_operation() passes it: never a file, print or thread operation.
void expect_no_forbidden_operation(const torch::jit::Block* block) {
  static const std::set<std::string> forbidden = {"aten::save", "aten::from_file", "prim::Print", "prim::fork",
                                                  "prim::PythonOp", "prim::CallMethod", "prim::CallFunction"};
  for (const torch::jit::Node* node : block->nodes()) {
    if (forbidden.count(node->kind().toQualString()) != 0) {
      std::fprintf(stderr, "unsafe_operation() passed a graph calling %s\n", node->kind().toQualString());
      __builtin_trap();
    }
    for (const torch::jit::Block* inner : node->blocks()) expect_no_forbidden_operation(inner);
  }
}

void as_file(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/digitlab-fuzz-model-" + std::to_string(::getpid()) + ".pt";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    digitlab::check_model_archive(path, /*trusted=*/false);
  } catch (const std::exception&) {
    // Refused or unreadable, with a message: the expected outcome for most inputs.
  }
}

void as_source(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  torch::jit::Module module("Fuzz");
  try {
    module.define("def forward(self, image: Tensor) -> Tensor:\n" + body + "\n");
  } catch (const std::exception&) {
    return;  // not valid TorchScript
  }
  if (!digitlab::unsafe_operation(module).empty()) return;
  auto graph = module.get_method("forward").graph()->copy();
  torch::jit::Inline(*graph);
  expect_no_forbidden_operation(graph->block());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  as_file(data, size);
  as_source(data, size);
  return 0;
}
