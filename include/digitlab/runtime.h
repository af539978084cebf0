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

/// Keeps memory the process frees for its next allocations instead of handing it back to the system.
/// A training step allocates and frees tens of MB of activations; glibc unmaps such blocks on every free
/// (or trims them off the heap), so every step page-faults them in again, zeroed: about 8% of a CPU
/// training step on a 2-core machine. The trainer calls this when a run starts (no effect off glibc).
void keep_freed_memory();

/// Hands the free memory kept since keep_freed_memory() back to the system; the trainer calls it when a
/// run ends, so the app does not hold a training run's peak memory afterwards.
void release_freed_memory();

/// True when LibTorch was built with CUDA and a GPU is visible.
bool cuda_available();

/// Resolves "auto", "cpu" or "cuda" to "cpu" or "cuda".
/// Throws std::runtime_error for an unknown name or "cuda" without a usable GPU.
std::string resolve_device(const std::string& requested);

/// Human-readable device: "CPU (2 threads)" or "CUDA (NVIDIA H100 ...)".
std::string describe_device(const std::string& device);

}  // namespace digitlab
