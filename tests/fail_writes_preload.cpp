// A test-only LD_PRELOAD library: write() fails with ENOSPC ("No space left on device") for every file whose path
// contains $DIGITLAB_FAIL_WRITES_MATCHING, so the CLI tests can fill a disk without mounting one.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool path_matches(int fd, const char* pattern) {
  char link[64];
  char path[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, path, sizeof path - 1);
  if (n <= 0) return false;
  path[n] = '\0';
  return std::strstr(path, pattern) != nullptr;
}

}  // namespace

extern "C" ssize_t write(int fd, const void* data, size_t size) {
  using WriteFn = ssize_t (*)(int, const void*, size_t);
  static const auto real_write = reinterpret_cast<WriteFn>(dlsym(RTLD_NEXT, "write"));
  const char* pattern = std::getenv("DIGITLAB_FAIL_WRITES_MATCHING");
  if (pattern != nullptr && *pattern != '\0' && path_matches(fd, pattern)) {
    errno = ENOSPC;
    return -1;
  }
  return real_write(fd, data, size);
}
