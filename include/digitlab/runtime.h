#pragma once

#include <string>

namespace digitlab {

/// DigitLab's version string.
const char* digitlab_version();

/// LibTorch's version string (e.g. "1.13.0").
std::string torch_version();

/// Number of CPU cores this process may run on (its affinity mask), at least 1.
int available_cores();

/// Most threads configure_threads() accepts per available core. LibTorch's intra-op work is compute-bound, so
/// threads beyond the cores only take turns; 4 per core leaves room for an affinity mask that undercounts, while
/// a count such as 100000 (which would start that many OpenMP threads and seem to hang) is refused.
constexpr int kMaxThreadsPerCore = 4;

/// Sets LibTorch's intra-op thread count; 0 means available_cores(). Returns the count set.
/// Throws std::runtime_error for a negative count or one above kMaxThreadsPerCore * available_cores().
int configure_threads(int threads);

/// True when this CPU computes bfloat16 products natively (AVX512-BF16 or AMX-BF16), where bfloat16 training runs
/// about twice as fast as float.
bool cpu_has_native_bf16();

/// True when LibTorch was built with CUDA and a GPU is visible.
bool cuda_available();

/// Resolves "auto", "cpu" or "cuda" to "cpu" or "cuda".
/// Throws std::runtime_error for an unknown name or "cuda" without a usable GPU.
std::string resolve_device(const std::string& requested);

/// Human-readable device: "CPU (2 threads)" or "CUDA (NVIDIA H100 ...)".
std::string describe_device(const std::string& device);

}  // namespace digitlab
