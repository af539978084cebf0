#include "progress_bar.h"

#include <digitlab/format.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace digitlab::cli {

ProgressBar::ProgressBar() : enabled_(isatty(STDOUT_FILENO) == 1) { restart(); }

void ProgressBar::restart() {
  start_ = std::chrono::steady_clock::now();
  last_draw_ = {};
}

void ProgressBar::update(const std::string& label, double fraction, const std::string& suffix) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  fraction = std::clamp(fraction, 0.0, 1.0);
  if (fraction < 1.0 && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 28;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(kWidth, ' ');
  for (int i = 0; i < filled; ++i) bar[i] = '=';
  if (filled < kWidth) bar[filled] = '>';
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string eta =
      fraction > 0.01 ? "ETA " + format_duration(elapsed * (1.0 - fraction) / fraction) : "ETA --:--";
  std::printf("\r\033[K%s [%s] %3d%%  %s  %s", label.c_str(), bar.c_str(), static_cast<int>(fraction * 100),
              eta.c_str(), suffix.c_str());
  std::fflush(stdout);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!enabled_ || !drawn_) return;
  std::printf("\r\033[K");
  std::fflush(stdout);
  drawn_ = false;
}

}  // namespace digitlab::cli
