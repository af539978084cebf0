#include "front/engine.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#ifndef DIGITLAB_ENGINE_RELATIVE_PATH
#define DIGITLAB_ENGINE_RELATIVE_PATH ""
#endif
#ifndef DIGITLAB_ENGINE_BUILD_PATH
#define DIGITLAB_ENGINE_BUILD_PATH ""
#endif

namespace digitlab {
namespace {

constexpr const char* kEntry = "digitlab_engine_v1";

std::atomic<const Engine*> g_engine{nullptr};
std::mutex g_load;

/// The folder of the running program.
std::filesystem::path program_folder() {
  std::vector<char> buffer(PATH_MAX + 1);
  const ssize_t n = readlink("/proc/self/exe", buffer.data(), PATH_MAX);
  if (n <= 0) return {};
  return std::filesystem::path(std::string(buffer.data(), static_cast<size_t>(n))).parent_path();
}

/// Where the engine may be: $DIGITLAB_ENGINE alone when it is set; else beside the installed program
/// (bin/../lib/<arch>/digitlab), then the build tree it was built in.
std::vector<std::filesystem::path> candidates() {
  std::vector<std::filesystem::path> paths;
  if (const char* env = std::getenv("DIGITLAB_ENGINE"); env != nullptr && *env != '\0') return {env};
  const std::string relative = DIGITLAB_ENGINE_RELATIVE_PATH;
  if (!relative.empty()) paths.push_back(program_folder() / relative);
  const std::string built = DIGITLAB_ENGINE_BUILD_PATH;
  if (!built.empty()) paths.emplace_back(built);
  return paths;
}

const Engine* load() {
  // A program that links the engine itself (the test suites, the benchmarks) exports its entry point.
  if (void* entry = dlsym(RTLD_DEFAULT, kEntry)) {
    return reinterpret_cast<const Engine* (*)()>(entry)();
  }
  std::string tried;
  for (const auto& path : candidates()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path.string() + " (missing)";
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      tried += (tried.empty() ? "" : ", ") + path.string() + " (" + (why ? why : "cannot be loaded") + ")";
      continue;
    }
    if (void* entry = dlsym(handle, kEntry)) return reinterpret_cast<const Engine* (*)()>(entry)();
    tried += (tried.empty() ? "" : ", ") + path.string() + " (no entry point)";
  }
  throw std::runtime_error("DigitLab's LibTorch engine (libdigitlab_engine.so) could not be loaded: tried " +
                           (tried.empty() ? std::string("nowhere") : tried) +
                           "; reinstall DigitLab, or set DIGITLAB_ENGINE to the file");
}

}  // namespace

const Engine& engine() {
  if (const Engine* e = g_engine.load()) return *e;
  std::lock_guard<std::mutex> lock(g_load);
  if (g_engine.load() == nullptr) {
    const Engine* e = load();
    e->set_threads(native_threads());
    g_engine.store(e);
  }
  return *g_engine.load();
}

bool engine_loaded() { return g_engine.load() != nullptr; }

bool engine_linked_in() { return engine_loaded() || dlsym(RTLD_DEFAULT, kEntry) != nullptr; }

void provide_engine(const Engine* e) { g_engine.store(e); }

}  // namespace digitlab
