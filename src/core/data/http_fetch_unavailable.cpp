// Compiled instead of http_fetch.cpp when the build has no libcurl (e.g. a GPU machine without Debian's
// packages): downloading says so clearly, and everything else works from files already on disk.
#include "data/http_fetch.h"

#include <stdexcept>

namespace digitlab::detail {

bool http_fetch_available() { return false; }

FetchResult http_fetch(const std::string& url, const std::filesystem::path&, long, long, const FetchProgress&) {
  throw std::runtime_error("cannot download " + url +
                           ": this DigitLab was built without libcurl (install libcurl4-openssl-dev and rebuild, "
                           "or put the MNIST files in the data folder yourself)");
}

}  // namespace digitlab::detail
