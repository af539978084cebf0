// libFuzzer target for DigitLab's reader of its own model files without LibTorch (src/core/native): the pickle
// reader, the check of a file's code against DigitNet's forward, and the whole reader on the bytes as a file. None
// may crash, hang or read out of bounds, whatever the bytes; the pickle reader must never grow past its bounds.
//
//   CXX=clang++ cmake -S . -B build-fuzz -DDIGITLAB_FUZZ=ON -DDIGITLAB_GUI=OFF -DDIGITLAB_TESTS=OFF
//   cmake --build build-fuzz --target fuzz_native
//   build-fuzz/fuzz/fuzz_native -max_total_time=300 CORPUS_DIR
// Seeds: a model file's data.pkl and code/__torch__.py (unzip models/digitnet.pt), and a small model file.

#include "native/digitnet_code.h"
#include "native/native_model.h"
#include "native/pickle_reader.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    digitlab::Pickle pickle(bytes);
    (void)pickle.root();
  } catch (const std::runtime_error&) {
  }
  digitlab::DigitNetConstants constants;
  (void)digitlab::check_digitnet_code(bytes, digitlab::ModelSpec::digits(), constants);
  static const std::string path = "/tmp/fuzz_native_" + std::to_string(getpid()) + ".pt";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    std::string why;
    (void)digitlab::NativeModel::open(path, &why);
  }
  return 0;
}
