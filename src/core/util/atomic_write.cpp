#include "util/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

std::runtime_error write_error(const fs::path& target, const std::string& reason) {
  return std::runtime_error("cannot write " + target.string() + ": " + reason);
}

}  // namespace

void write_file_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& writer) {
  if (!target.has_filename()) throw write_error(target, "not a file name");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw write_error(target, "cannot create folder " + dir.string() + ": " + ec.message());

  // A hidden name in the same folder keeps the final rename on one file system, hence atomic.
  static std::atomic<unsigned long> counter{0};
  const fs::path tmp =
      dir / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  try {
    writer(tmp);
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    throw write_error(target, e.what());
  } catch (...) {
    fs::remove(tmp, ec);
    throw write_error(target, "unknown error");
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove(tmp, ec);
    throw write_error(target, "cannot move the temporary file into place: " + reason);
  }
}

void write_text_atomically(const fs::path& target, const std::string& text) {
  write_file_atomically(target, [&text](const fs::path& tmp) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    // POSIX calls rather than a stream: every short write, sync and close failure is visible here.
    int error = 0;
    for (size_t done = 0; done < text.size() && error == 0;) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        error = errno;
      } else if (n == 0) {
        error = ENOSPC;
      }
    }
    if (error == 0 && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error != 0) throw std::runtime_error(std::string("disk full or write error: ") + std::strerror(error));
  });
}

}  // namespace digitlab
