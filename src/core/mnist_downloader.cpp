#include <digitlab/mnist_downloader.h>

#include <digitlab/atomic_write.h>
#include <digitlab/mnist.h>
#include <digitlab/sha256.h>

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

constexpr long kLowSpeedLimitBytesPerSecond = 1024;
constexpr std::chrono::milliseconds kRetryBackoff{1000};

void init_curl_once() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    throw std::runtime_error(std::string("cannot initialise libcurl: ") + curl_easy_strerror(result));
  }
}

bool is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  std::FILE* out = nullptr;
  int write_errno = 0;
  const MnistDownloader::ProgressFn* progress = nullptr;
  MnistDownloader::DownloadProgress report;
  bool cancelled = false;
  std::exception_ptr callback_error;  // exceptions must not unwind through libcurl
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t written = std::fwrite(data, 1, size * count, transfer->out);
  if (written != size * count) transfer->write_errno = errno ? errno : EIO;
  return written;
}

int on_progress(void* user, curl_off_t total, curl_off_t received, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  const int64_t known_total = total > 0 ? total : -1;
  if (!*transfer->progress || (received == transfer->report.received && known_total == transfer->report.total)) {
    return 0;
  }
  transfer->report.received = received;
  transfer->report.total = known_total;
  try {
    transfer->cancelled = !(*transfer->progress)(transfer->report);
  } catch (...) {
    transfer->callback_error = std::current_exception();
  }
  return transfer->cancelled || transfer->callback_error ? 1 : 0;
}

// The outcome of one attempt on one URL: an empty error means success.
struct Attempt {
  std::string error;
  bool transient = false;
};

// Downloads `url` into `tmp`. Mirror failures are returned; local failures and cancellation are thrown.
Attempt fetch(const std::string& url, const fs::path& tmp, long connect_timeout_s, long low_speed_time_s,
              Transfer& transfer) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(tmp.c_str(), "wb"), &std::fclose);
  if (!out) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot initialise a libcurl transfer");
  transfer.out = out.get();
  transfer.write_errno = 0;

  char error_buffer[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "DigitLab");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedLimitBytesPerSecond);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_speed_time_s);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  const CURLcode code = curl_easy_perform(c);

  if (transfer.callback_error) std::rethrow_exception(transfer.callback_error);
  if (transfer.cancelled) throw std::runtime_error("download cancelled");
  if (transfer.write_errno != 0) {
    throw std::runtime_error("disk full or write error on " + tmp.string() + ": " +
                             std::strerror(transfer.write_errno));
  }
  if (std::fclose(out.release()) != 0 && code == CURLE_OK) {
    throw std::runtime_error("disk full or write error on " + tmp.string() + ": " + std::strerror(errno));
  }
  if (code == CURLE_OK) return {};
  if (code == CURLE_HTTP_RETURNED_ERROR) {
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return {"HTTP " + std::to_string(status), status >= 500 || status == 408 || status == 429};
  }
  return {error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code), is_transient(code)};
}

}  // namespace

MnistDownloader::MnistDownloader(std::vector<std::string> mirrors) : mirrors_(std::move(mirrors)) {}

std::vector<std::string> MnistDownloader::default_mirrors() {
  return {"https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"};
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
  init_curl_once();

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
  std::string failures;
  for (const std::string& mirror : mirrors_) {
    const std::string url = mirror + (!mirror.empty() && mirror.back() == '/' ? "" : "/") + file_name;
    std::string failure;
    for (int attempt = 0; attempt <= retries_; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(kRetryBackoff * attempt);
      Transfer transfer{nullptr, 0, &progress, report, false, nullptr};
      const Attempt result = fetch(url, tmp, connect_timeout_s_, low_speed_time_s_, transfer);
      failure = result.error;
      if (result.error.empty() || !result.transient) break;
    }
    if (failure.empty()) {
      // Verify the content before the file may appear under its final name.
      try {
        const std::string actual = sha256_of_content(tmp);
        if (actual != expected_sha256) failure = "checksum mismatch: expected " + expected_sha256 + ", got " + actual;
      } catch (const std::exception& e) {
        failure = std::string("unreadable download: ") + e.what();
      }
    }
    if (failure.empty()) {
      std::error_code ec;
      report.received = report.total = static_cast<int64_t>(fs::file_size(tmp, ec));
      if (progress && !progress(report)) throw std::runtime_error("download cancelled");
      return;
    }
    failures += (failures.empty() ? "" : "; ") + url + ": " + failure;
  }
  if (failures.empty()) failures = "no mirrors configured";
  throw std::runtime_error("could not download " + file_name + ": " + failures);
}

}  // namespace digitlab
