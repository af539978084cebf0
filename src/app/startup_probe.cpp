#include "startup_probe.h"

#include "main_window.h"

#include <QApplication>
#include <QEvent>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace digitlab::app {

StartupProbe::StartupProbe(MainWindow* window) : QObject(window) {
  if (std::getenv("DIGITLAB_STARTUP_PROBE") == nullptr) return;
  window->installEventFilter(this);
  connect(window, &MainWindow::modelReady, this, [this] {
    report("model-ready");
    modelDone_ = true;
    quitWhenDone();
  });
  connect(window, &MainWindow::modelFailed, this, [this] {
    report("model-failed");
    modelDone_ = true;
    quitWhenDone();
  });
}

bool StartupProbe::eventFilter(QObject* watched, QEvent* event) {
  if (!painted_ && event->type() == QEvent::Paint) {
    painted_ = true;
    report("window-painted");
    quitWhenDone();
  }
  return QObject::eventFilter(watched, event);
}

void StartupProbe::report(const char* what) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::printf("%s %lld\n", what,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(now).count()));
  std::fflush(stdout);
}

void StartupProbe::quitWhenDone() {
  if (painted_ && modelDone_) QTimer::singleShot(0, qApp, &QApplication::quit);
}

}  // namespace digitlab::app
