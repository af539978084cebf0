#include "interrupt_flag.h"

#include <signal.h>
#include <unistd.h>

namespace digitlab::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
  if (g_interrupted.exchange(true)) _exit(130);
  static const char kMessage[] = "\nInterrupted: stopping after the current batch (press Ctrl-C again to quit now)\n";
  // write() is async-signal-safe; the return value has no use here.
  [[maybe_unused]] const auto n = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

InterruptFlag& InterruptFlag::install() {
  static InterruptFlag instance;
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    return true;
  }();
  (void)installed;
  return instance;
}

const std::atomic<bool>& InterruptFlag::flag() const { return g_interrupted; }

}  // namespace digitlab::cli
