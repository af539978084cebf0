#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace digitlab {

/// Downloads the missing MNIST files from a list of mirrors, verifying each against its known SHA-256.
class MnistDownloader {
 public:
  /// Progress of the file being downloaded.
  struct DownloadProgress {
    /// Name of the file being fetched, e.g. "train-images-idx3-ubyte.gz".
    std::string file;
    /// Bytes received so far.
    int64_t received;
    /// Size of the file in bytes, or -1 while unknown.
    int64_t total;
    /// Position of this file among the files being downloaded, from 0.
    int file_index;
    /// Number of files being downloaded.
    int file_count;
  };

  /// Called as data arrives (possibly from a tight loop: throttle in the caller); returning false cancels.
  using ProgressFn = std::function<bool(const DownloadProgress&)>;

  /// Uses `mirrors`, base URLs tried in turn; a file's URL is base + name + ".gz".
  explicit MnistDownloader(std::vector<std::string> mirrors = default_mirrors());

  /// Whether this build can download (false when built without libcurl: ensure() then fails with that reason).
  static bool available();

  /// Public MNIST mirrors serving the gzipped files.
  static std::vector<std::string> default_mirrors();

  /// The comma-separated base URLs in DIGITLAB_MNIST_MIRRORS when it is set, else default_mirrors().
  static std::vector<std::string> mirrors_from_environment();

  /// Sets the connect timeout and how long a transfer may stay under 1 KB/s before it is abandoned, in seconds.
  void set_timeouts(long connect_seconds, long low_speed_seconds);

  /// Sets how many times a mirror is retried after a transient failure (timeout, connection error, HTTP 5xx).
  void set_retries(int retries);

  /// Creates `dir` and downloads into it, as <name>.gz, every MNIST file it lacks; files are verified before they
  /// appear, and nothing partial is ever left. `progress` may be empty. Throws std::runtime_error "download
  /// cancelled" if `progress` returns false, or, if every mirror fails for a file, one naming each mirror's failure.
  void ensure(const std::filesystem::path& dir, const ProgressFn& progress) const;

 private:
  void download(const std::string& file_name, const std::string& expected_sha256, const std::filesystem::path& tmp,
                DownloadProgress report, const ProgressFn& progress) const;

  std::vector<std::string> mirrors_;
  long connect_timeout_s_ = 15;
  long low_speed_time_s_ = 30;
  int retries_ = 2;
};

}  // namespace digitlab
