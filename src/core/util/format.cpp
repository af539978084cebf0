#include <digitlab/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace digitlab {

std::string format_duration(double seconds) {
  const long long total = std::llround(std::max(0.0, seconds));
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", total / 60, total % 60);
  }
  return buf;
}

}  // namespace digitlab
