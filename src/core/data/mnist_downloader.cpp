#include <digitlab/mnist_downloader.h>

#include <digitlab/mnist.h>
#include "data/sha256.h"
#include "util/atomic_write.h"

#include "data/http_fetch.h"
#include "data/mirror_fetch.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace digitlab {
namespace fs = std::filesystem;

MnistDownloader::MnistDownloader(std::vector<std::string> mirrors) : mirrors_(std::move(mirrors)) {}

bool MnistDownloader::available() { return detail::http_fetch_available(); }

std::vector<std::string> MnistDownloader::default_mirrors() {
  return {"https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"};
}

std::vector<std::string> MnistDownloader::mirrors_from_environment() {
  return detail::mirrors_from_variable("DIGITLAB_MNIST_MIRRORS", default_mirrors());
}

void MnistDownloader::set_timeouts(long connect_seconds, long low_speed_seconds) {
  connect_timeout_s_ = connect_seconds;
  low_speed_time_s_ = low_speed_seconds;
}

void MnistDownloader::set_retries(int retries) { retries_ = std::max(0, retries); }

void MnistDownloader::ensure(const fs::path& dir, const ProgressFn& progress) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create data folder " + dir.string() + ": " + ec.message());
  std::vector<MnistFile> missing;
  for (const MnistFile& file : mnist_files()) {
    if (!find_mnist_file(dir, file.name)) missing.push_back(file);
  }
  if (missing.empty()) return;

  for (size_t i = 0; i < missing.size(); ++i) {
    const std::string file_name = std::string(missing[i].name) + ".gz";
    const DownloadProgress report{file_name, 0, -1, static_cast<int>(i), static_cast<int>(missing.size())};
    if (progress && !progress(report)) throw std::runtime_error("download cancelled");
    // write_file_atomically prefixes "cannot write <file>:"; download errors are rethrown with their own message.
    std::exception_ptr download_error;
    try {
      write_file_atomically(dir / file_name, [&](const fs::path& tmp) {
        try {
          download(file_name, missing[i].sha256, tmp, report, progress);
        } catch (...) {
          download_error = std::current_exception();
          throw;
        }
      });
    } catch (const std::exception&) {
      if (download_error) std::rethrow_exception(download_error);
      throw;
    }
  }
}

void MnistDownloader::download(const std::string& file_name, const std::string& expected_sha256, const fs::path& tmp,
                               DownloadProgress report, const ProgressFn& progress) const {
  const detail::MirrorPolicy policy{connect_timeout_s_, low_speed_time_s_, retries_};
  // The content is verified before the file may appear under its final name.
  const auto check = [&](const fs::path& file) -> std::string {
    const std::string actual = sha256_of_content(file);
    return actual == expected_sha256 ? "" : "checksum mismatch: expected " + expected_sha256 + ", got " + actual;
  };
  detail::fetch_from_mirrors(file_name, mirrors_, tmp, policy, check, [&](int64_t received, int64_t total) {
    report.received = received;
    report.total = total;
    return !progress || progress(report);
  });
  std::error_code ec;
  report.received = report.total = static_cast<int64_t>(fs::file_size(tmp, ec));
  if (progress && !progress(report)) throw std::runtime_error("download cancelled");
}

}  // namespace digitlab
