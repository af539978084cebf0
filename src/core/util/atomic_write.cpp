#include "util/atomic_write.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

std::runtime_error write_error(const fs::path& target, const std::string& reason) {
  return std::runtime_error("cannot write " + target.string() + ": " + reason);
}

/// "2.3 MB", "812 KB", "96 bytes".
std::string human_size(size_t bytes) {
  char text[32];
  if (bytes >= 1000 * 1000) {
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  } else if (bytes >= 1000) {
    std::snprintf(text, sizeof text, "%zu KB", (bytes + 999) / 1000);
  } else {
    std::snprintf(text, sizeof text, "%zu bytes", bytes);
  }
  return text;
}

/// The temporary name for `target` in `dir`: hidden, with this process's id and a counter.
fs::path temporary_name(const fs::path& dir, const fs::path& target) {
  static std::atomic<unsigned long> counter{0};
  return dir /
         ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

/// Removes temporary files for `target` that a process killed mid-write left behind ("." name ".tmp-" PID "-" N,
/// for a PID that no longer runs). Best effort: a folder that cannot be listed is left as it is.
void remove_orphaned_temporaries(const fs::path& dir, const fs::path& target) {
  const std::string prefix = "." + target.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == std::string::npos || dash == 0 || rest.find_first_not_of("0123456789-") != std::string::npos) continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

}  // namespace

void write_file_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& writer) {
  if (!target.has_filename()) throw write_error(target, "not a file name");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw write_error(target, "cannot create folder " + dir.string() + ": " + ec.message());

  remove_orphaned_temporaries(dir, target);
  // A hidden name in the same folder keeps the final rename on one file system, hence atomic.
  const fs::path tmp = temporary_name(dir, target);
  try {
    writer(tmp);
  } catch (const DiskFullError& e) {
    fs::remove(tmp, ec);
    throw std::runtime_error("no space left on device writing " + target.string() + " (needs " + human_size(e.bytes) +
                             ")");
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
    if (error == ENOSPC || error == EDQUOT) throw DiskFullError(text.size());
    if (error != 0) throw std::runtime_error(std::string("write error: ") + std::strerror(error));
  });
}

}  // namespace digitlab
