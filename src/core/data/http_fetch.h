#pragma once
// Internal: one HTTP(S)/file:// transfer into a local file. libcurl implements it (http_fetch.cpp); a build
// without libcurl compiles http_fetch_unavailable.cpp instead, which says so.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace digitlab::detail {

/// The outcome of one transfer: an empty error means success; transient errors are worth retrying.
struct FetchResult {
  std::string error;
  bool transient = false;
};

/// Called as data arrives with bytes received and the total (-1 while unknown); returning false cancels.
using FetchProgress = std::function<bool(int64_t received, int64_t total)>;

/// Whether this build can download at all.
bool http_fetch_available();

/// Downloads `url` into `out` (created or truncated). Failures of the remote side are returned; local failures
/// (cannot create `out`, disk full) are thrown as std::runtime_error naming the file, cancellation as "download
/// cancelled", and exceptions from `progress` are rethrown.
FetchResult http_fetch(const std::string& url, const std::filesystem::path& out, long connect_timeout_s,
                       long low_speed_time_s, const FetchProgress& progress);

}  // namespace digitlab::detail
