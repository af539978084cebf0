#include "runtime/freed_memory.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace digitlab {
namespace {

/// glibc's default mmap and trim thresholds (128 KiB each; see mallopt(3)).
constexpr int kGlibcDefaultThreshold = 128 * 1024;

}  // namespace

KeepFreedMemory::KeepFreedMemory() {
#ifdef __GLIBC__
  // Blocks up to 1 GiB come from the heap rather than their own mappings, and the heap is not trimmed.
  // Some glibc versions refuse a threshold above 32 MiB: then 32 MiB, which covers batch 128's activations.
  if (mallopt(M_MMAP_THRESHOLD, 1 << 30) == 0) mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

KeepFreedMemory::~KeepFreedMemory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, kGlibcDefaultThreshold);
  mallopt(M_TRIM_THRESHOLD, kGlibcDefaultThreshold);
  malloc_trim(0);
#endif
}

}  // namespace digitlab
