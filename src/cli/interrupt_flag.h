#pragma once

#include <atomic>

namespace digitlab::cli {

/// Ctrl-C handling for long work: the first SIGINT raises a flag that the trainer checks every
/// batch; a second one ends the process at once (exit code 130).
class InterruptFlag {
 public:
  /// Installs the SIGINT handler (idempotent) and returns the process-wide flag.
  static InterruptFlag& install();
  /// The flag the handler raises.
  const std::atomic<bool>& flag() const;
  /// True once Ctrl-C was pressed.
  bool raised() const { return flag().load(); }

 private:
  InterruptFlag() = default;
};

}  // namespace digitlab::cli
