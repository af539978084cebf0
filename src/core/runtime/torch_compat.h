#pragma once
// The one place where LibTorch 1.13 (Debian) and LibTorch 2.x (PyTorch wheels, CUDA)
// differ for DigitLab. Everything else uses the API common to both.

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <string>

#ifdef DIGITLAB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace digitlab::compat {

/// Turns CUDA autocast on or off for the calling thread (autocast state is per thread).
inline void set_cuda_autocast(bool enabled, at::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
  at::autocast::set_autocast_dtype(at::kCUDA, dtype);
#else
  at::autocast::set_enabled(enabled);
  at::autocast::set_autocast_gpu_dtype(dtype);
#endif
}

/// Turns CPU autocast on or off for the calling thread.
inline void set_cpu_autocast(bool enabled, at::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(at::kCPU, enabled);
  at::autocast::set_autocast_dtype(at::kCPU, dtype);
#else
  at::autocast::set_cpu_enabled(enabled);
  at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

/// Whether autocast keeps casted weights between ops; a captured CUDA graph must not (its casts are replayed).
inline void set_autocast_cache(bool enabled) { at::autocast::set_autocast_cache_enabled(enabled); }

/// Drops the casted-weight cache autocast keeps between iterations.
inline void clear_autocast_cache() { at::autocast::clear_cache(); }

/// True when the current CUDA device computes in bfloat16 natively (compute capability 8.0+).
inline bool cuda_supports_bf16() {
#ifdef DIGITLAB_WITH_CUDA
  return at::cuda::getCurrentDeviceProperties()->major >= 8;
#else
  return false;
#endif
}

/// Marketing name of the current CUDA device, or "" when built without CUDA.
inline std::string cuda_device_name() {
#ifdef DIGITLAB_WITH_CUDA
  return at::cuda::getCurrentDeviceProperties()->name;
#else
  return {};
#endif
}

}  // namespace digitlab::compat
