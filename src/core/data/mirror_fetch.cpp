#include "data/mirror_fetch.h"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace digitlab::detail {
namespace {

constexpr std::chrono::milliseconds kRetryBackoff{1000};

// One mirror, retried after transient failures; returns why it failed, or "" once `out` holds its file.
std::string fetch_retrying(const std::string& url, const std::filesystem::path& out, const MirrorPolicy& policy,
                           const FetchProgress& progress) {
  std::string failure;
  for (int attempt = 0; attempt <= policy.retries; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kRetryBackoff * attempt);
    const FetchResult result = http_fetch(url, out, policy.connect_timeout_s, policy.low_speed_time_s, progress);
    failure = result.error;
    if (result.error.empty() || !result.transient) break;
  }
  return failure;
}

}  // namespace

std::vector<std::string> mirrors_from_variable(const char* variable, std::vector<std::string> fallback) {
  const char* env = std::getenv(variable);
  if (env == nullptr || *env == '\0') return fallback;
  std::vector<std::string> mirrors;
  std::stringstream list(env);
  for (std::string item; std::getline(list, item, ',');) {
    if (item.empty()) continue;
    if (item.back() != '/') item += '/';
    mirrors.push_back(item);
  }
  return mirrors;
}

void fetch_from_mirrors(const std::string& file_name, const std::vector<std::string>& mirrors,
                        const std::filesystem::path& out, const MirrorPolicy& policy, const ContentCheck& check,
                        const FetchProgress& progress) {
  std::string failures;
  for (const std::string& mirror : mirrors) {
    const std::string url = mirror + (!mirror.empty() && mirror.back() == '/' ? "" : "/") + file_name;
    std::string failure = fetch_retrying(url, out, policy, progress);
    if (failure.empty()) {
      // Judge the content before the caller lets the file appear under its final name.
      try {
        failure = check(out);
      } catch (const std::exception& e) {
        failure = std::string("unreadable download: ") + e.what();
      }
    }
    if (failure.empty()) return;
    failures += (failures.empty() ? "" : "; ") + url + ": " + failure;
  }
  if (failures.empty()) failures = "no mirrors configured";
  throw std::runtime_error("could not download " + file_name + ": " + failures);
}

}  // namespace digitlab::detail
