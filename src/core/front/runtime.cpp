#include <digitlab/runtime.h>

#include "front/engine.h"

#include <sched.h>

#include <stdexcept>
#include <string>
#include <thread>

#include <atomic>

#ifndef DIGITLAB_VERSION
#define DIGITLAB_VERSION "0.0.0"
#endif
// The LibTorch the engine is built against (CMake's Torch_VERSION), known without loading it.
#ifndef DIGITLAB_TORCH_VERSION
#define DIGITLAB_TORCH_VERSION "unknown"
#endif

namespace digitlab {

const char* digitlab_version() { return DIGITLAB_VERSION; }

namespace {
std::atomic<int> g_threads{0};  // 0: not configured yet
}  // namespace

std::string torch_version() { return DIGITLAB_TORCH_VERSION; }

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

int configure_threads(int threads) {
  if (threads < 0) {
    throw std::runtime_error("thread count must be 0 (all cores) or positive, got " + std::to_string(threads));
  }
  const int cores = available_cores();
  const int most = kMaxThreadsPerCore * cores;
  if (threads > most) {
    throw std::runtime_error("thread count " + std::to_string(threads) + " is too many for " + std::to_string(cores) +
                             (cores == 1 ? " core" : " cores") + ": expected at most " + std::to_string(most) + " (" +
                             std::to_string(kMaxThreadsPerCore) + " per core), or 0 for one per core");
  }
  const int n = threads == 0 ? cores : threads;
  g_threads.store(n);
  // LibTorch starts with one thread here. A program that links it (the benchmarks, the test suites) may run it
  // directly before anything loads the engine, so its count is set now; a program that would have to load the
  // engine gets it set when it does (engine()).
  if (engine_linked_in()) engine().set_threads(n);
  return n;
}

void remember_threads(int threads) { g_threads.store(threads); }

int native_threads() {
  const int n = g_threads.load();
  return n > 0 ? n : available_cores();
}

bool cpu_has_native_bf16() {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
#else
  return false;
#endif
}

bool cuda_available() {
#if DIGITLAB_ENGINE_HAS_CUDA
  return engine().cuda_available();
#else
  return false;  // the engine is built on a LibTorch without CUDA: no need to load it to know
#endif
}

std::string resolve_device(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  if (requested == "auto") return cuda_available() ? "cuda" : "cpu";
  if (requested == "cuda") {
    if (!cuda_available()) {
      throw std::runtime_error("device cuda requested, but no CUDA GPU is usable (LibTorch " + torch_version() +
                               " built without CUDA, or no GPU visible); use --device cpu or auto");
    }
    return "cuda";
  }
  throw std::runtime_error("unknown device '" + requested + "': expected auto, cpu or cuda");
}

std::string describe_device(const std::string& device) {
  if (device == "cuda") {
    const std::string name = engine().cuda_device_name();
    return name.empty() ? "CUDA" : "CUDA (" + name + ")";
  }
  const int n = native_threads();
  return "CPU (" + std::to_string(n) + (n == 1 ? " thread)" : " threads)");
}

}  // namespace digitlab
