#include "runtime/freed_memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace digitlab {
namespace {

// Ten blocks of 24 MiB, as a training step's activations are: each under the largest mmap threshold glibc takes
// (32 MiB), so that while freed memory is kept they come from the heap.
constexpr size_t kBlock = size_t{24} << 20;
constexpr int kBlocks = 10;
constexpr long kMiB = 1 << 20;

/// Resident memory of this process, in bytes (/proc/self/statm).
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

/// Allocates the blocks, touches every page, frees them, and returns the resident memory just after the frees.
long resident_after_freeing_blocks() {
  char* blocks[kBlocks];
  for (auto& block : blocks) {
    block = static_cast<char*>(std::malloc(kBlock));
    if (block != nullptr) std::memset(block, 1, kBlock);
  }
  for (auto* block : blocks) std::free(block);
  return resident_bytes();
}

TEST(KeepFreedMemory, KeepsFreedBlocksDuringARunAndRestoresMallocAfterIt) {
#ifndef __GLIBC__
  GTEST_SKIP() << "the malloc tuning is glibc's";
#endif
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator replaces glibc's malloc (scripts/sanitize.sh)";
#endif
  const long before = resident_bytes();
  {
    const KeepFreedMemory keep;
    // During a run freed blocks stay with the process, ready for the next step.
    EXPECT_GT(resident_after_freeing_blocks() - before, 200 * kMiB);
  }
  // After the run the kept memory is handed back...
  EXPECT_LT(resident_bytes() - before, 50 * kMiB);
  // ...and malloc behaves as it did before the run: large freed blocks go back to the system at once.
  EXPECT_LT(resident_after_freeing_blocks() - before, 50 * kMiB);
}

}  // namespace
}  // namespace digitlab
