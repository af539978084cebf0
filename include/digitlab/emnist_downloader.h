#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace digitlab {

/// Downloads NIST's EMNIST archive (gzip.zip, about 536 MB), verifies its MD5 and unpacks its IDX and mapping files
/// flat into one folder, where load_dataset() reads them as emnist-SPLIT.
class EmnistDownloader {
 public:
  /// The archive's name on the mirrors.
  static constexpr const char* kArchiveName = "gzip.zip";
  /// The archive's published MD5 (NIST publishes no SHA-256; torchvision checks the same digest).
  static constexpr const char* kArchiveMd5 = "58c8d27c78d21e728a6bc7b3cc06412e";

  /// Progress of the download or of the unpacking.
  struct Progress {
    /// Whether the archive is being downloaded or unpacked.
    enum class Phase { kDownload, kUnpack } phase;
    /// The archive while downloading, else the file being unpacked, e.g. "emnist-letters-mapping.txt".
    std::string file;
    /// Bytes received or written so far.
    int64_t done;
    /// Size of `file` in bytes, or -1 while unknown.
    int64_t total;
    /// Position of `file` among the files of this phase, from 0.
    int file_index;
    /// Number of files in this phase.
    int file_count;
  };

  /// Called as data arrives or is unpacked (possibly from a tight loop: throttle in the caller); returning false
  /// cancels.
  using ProgressFn = std::function<bool(const Progress&)>;

  /// Uses `mirrors`, base URLs tried in turn (the archive's URL is base + kArchiveName), and accepts only an archive
  /// whose MD5 is `md5` (lowercase hex).
  explicit EmnistDownloader(std::vector<std::string> mirrors = default_mirrors(), std::string md5 = kArchiveMd5);

  /// Whether this build can download (false when built without libcurl: ensure() then fails with that reason).
  static bool available();

  /// NIST's own address of the archive's folder.
  static std::vector<std::string> default_mirrors();

  /// The comma-separated base URLs in DIGITLAB_EMNIST_MIRRORS when it is set, else default_mirrors().
  static std::vector<std::string> mirrors_from_environment();

  /// Sets the connect timeout and how long a transfer may stay under 1 KB/s before it is abandoned, in seconds.
  void set_timeouts(long connect_seconds, long low_speed_seconds);

  /// Sets how many times a mirror is retried after a transient failure (timeout, connection error, HTTP 5xx).
  void set_retries(int retries);

  /// The files of each of `splits` (e.g. "letters") missing from `dir`: emnist-SPLIT-mapping.txt and the four
  /// emnist-SPLIT-{train,test}-{images-idx3,labels-idx1}-ubyte, raw or gzipped.
  static std::vector<std::string> missing_files(const std::filesystem::path& dir,
                                                const std::vector<std::string>& splits);

  /// Unless every file of `splits` is in `dir` already: creates `dir`, downloads the archive into it, verifies its
  /// MD5, unpacks its gzip/emnist-*.gz and gzip/emnist-*-mapping.txt entries flat into `dir` and removes it.
  /// Every file appears complete or not at all; a verified archive that a cancelled unpacking left is unpacked
  /// again without downloading, an archive that cannot be unpacked is removed. `progress` may be empty. Throws
  /// std::runtime_error "download cancelled" if `progress` returns false; one naming each mirror's failure if no mirror
  /// serves the archive intact; one naming the archive and entry if an entry has an unsafe name (absolute, "..", a
  /// folder inside gzip/) or is corrupt; one naming the first file of `splits` the archive lacks.
  void ensure(const std::filesystem::path& dir, const std::vector<std::string>& splits,
              const ProgressFn& progress) const;

 private:
  void download(const std::filesystem::path& archive, const ProgressFn& progress) const;
  void unpack(const std::filesystem::path& archive, const std::filesystem::path& dir, const ProgressFn& progress) const;

  std::vector<std::string> mirrors_;
  std::string md5_;
  long connect_timeout_s_ = 15;
  long low_speed_time_s_ = 30;
  int retries_ = 2;
};

}  // namespace digitlab
