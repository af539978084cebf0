#pragma once
// Shared by the app's Qt tests: measuring how long the event loop was blocked.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>

namespace digitlab::app::testing {

/// Measures the longest gap between ticks of a 5 ms timer: how long the event loop was blocked.
class StallMeter {
 public:
  StallMeter() {
    timer_.setInterval(5);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      const qint64 now = clock_.elapsed();
      longest_ = std::max(longest_, now - last_);
      last_ = now;
    });
    clock_.start();
    timer_.start();
  }
  qint64 longestMs() const { return longest_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 last_ = 0;
  qint64 longest_ = 0;
};

}  // namespace digitlab::app::testing
