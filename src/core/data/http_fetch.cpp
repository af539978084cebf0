// One transfer with libcurl: used by MnistDownloader for every mirror attempt.
#include "data/http_fetch.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace digitlab::detail {
namespace {

constexpr long kLowSpeedLimitBytesPerSecond = 1024;

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
  const FetchProgress* progress = nullptr;
  int64_t received = 0;
  int64_t total = -1;
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
  if (!*transfer->progress || (received == transfer->received && known_total == transfer->total)) return 0;
  transfer->received = received;
  transfer->total = known_total;
  try {
    transfer->cancelled = !(*transfer->progress)(received, known_total);
  } catch (...) {
    transfer->callback_error = std::current_exception();
  }
  return transfer->cancelled || transfer->callback_error ? 1 : 0;
}

}  // namespace

bool http_fetch_available() { return true; }

FetchResult http_fetch(const std::string& url, const std::filesystem::path& tmp, long connect_timeout_s,
                       long low_speed_time_s, const FetchProgress& progress) {
  init_curl_once();
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(tmp.c_str(), "wb"), &std::fclose);
  if (!out) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot initialise a libcurl transfer");
  Transfer transfer;
  transfer.out = out.get();
  transfer.progress = &progress;

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

}  // namespace digitlab::detail
