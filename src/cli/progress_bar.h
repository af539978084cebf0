#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace digitlab::cli {

/// A one-line progress bar with ETA, redrawn in place; draws nothing unless stdout is a terminal.
class ProgressBar {
 public:
  /// Enabled only when stdout is a terminal.
  ProgressBar();

  /// True when the bar is drawn (stdout is a terminal).
  bool enabled() const { return enabled_; }
  /// Starts timing a new task for the ETA.
  void restart();
  /// Redraws: "label [=====>    ]  42%  ETA 1:23  suffix". At most ten redraws a second.
  void update(const std::string& label, double fraction, const std::string& suffix = "");
  /// Erases the bar so that a normal line can be printed.
  void clear();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace digitlab::cli
