#pragma once

#include <string>

namespace digitlab {

/// DigitLab's version string.
const char* digitlab_version();

/// LibTorch's version string (e.g. "1.13.0").
std::string torch_version();

/// Number of CPU cores this process may run on (its affinity mask), at least 1.
int available_cores();

/// Sets LibTorch's intra-op thread count; 0 means available_cores(). Returns the count set.
/// Throws std::runtime_error for a negative count.
int configure_threads(int threads);

/// True when LibTorch was built with CUDA and a GPU is visible.
bool cuda_available();

/// Resolves "auto", "cpu" or "cuda" to "cpu" or "cuda".
/// Throws std::runtime_error for an unknown name or "cuda" without a usable GPU.
std::string resolve_device(const std::string& requested);

/// Human-readable device: "CPU (2 threads)" or "CUDA (NVIDIA H100 ...)".
std::string describe_device(const std::string& device);

}  // namespace digitlab
