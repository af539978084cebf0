#pragma once
// Internal: one file fetched from the first of several mirrors that serves it intact, retrying transient failures.

#include "data/http_fetch.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace digitlab::detail {

/// How long to wait on a mirror and how often to retry it.
struct MirrorPolicy {
  long connect_timeout_s = 15;  ///< Connect timeout.
  long low_speed_time_s = 30;   ///< How long a transfer may stay under 1 KB/s.
  int retries = 2;  ///< Retries of a mirror after a transient failure (timeout, connection error, HTTP 5xx).
};

/// The comma-separated base URLs in environment variable `variable` (each ending in '/'), or `fallback` when it is
/// unset or empty.
std::vector<std::string> mirrors_from_variable(const char* variable, std::vector<std::string> fallback);

/// Judges a fetched file: returns why it is unacceptable (e.g. "checksum mismatch: ..."), or "" to accept it.
using ContentCheck = std::function<std::string(const std::filesystem::path& file)>;

/// Fetches `file_name` (appended to each base URL in `mirrors`) into `out`, mirror after mirror, until one passes
/// `check`. Throws std::runtime_error "could not download <file_name>: <url>: <why>; <url>: <why>" when none does,
/// and whatever http_fetch() throws (local write failures, "download cancelled").
void fetch_from_mirrors(const std::string& file_name, const std::vector<std::string>& mirrors,
                        const std::filesystem::path& out, const MirrorPolicy& policy, const ContentCheck& check,
                        const FetchProgress& progress);

}  // namespace digitlab::detail
