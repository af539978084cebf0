#pragma once
// Internal to digitlab_core: malloc tuning for the span of a training run.

namespace digitlab {

/// While it lives, memory the process frees is kept for its next allocations instead of being handed back to
/// the system. A training step allocates and frees tens of MB of activations; glibc unmaps such blocks on every
/// free (or trims them off the heap), so every step page-faults them in again, zeroed: about 8% of a CPU
/// training step on a 2-core machine. Its destructor puts glibc's thresholds back to their defaults and returns
/// the kept memory, so the app does not keep a run's settings or its peak memory afterwards.
/// No effect off glibc. Runs do not nest (the trainer holds one per run).
class KeepFreedMemory {
 public:
  KeepFreedMemory();
  ~KeepFreedMemory();
  KeepFreedMemory(const KeepFreedMemory&) = delete;
  KeepFreedMemory& operator=(const KeepFreedMemory&) = delete;
};

}  // namespace digitlab
