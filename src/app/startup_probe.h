#pragma once
// For the start-up benchmark (bench/startup.sh): with DIGITLAB_STARTUP_PROBE set, the app prints when its main window
// was first painted and when its model was ready, as Unix times in microseconds ("window-painted 1796061234567890",
// "model-ready ..."; "model-failed ..." when none loads), then quits. The benchmark subtracts its launch time.

#include <QObject>

namespace digitlab::app {

class MainWindow;

class StartupProbe : public QObject {
  Q_OBJECT

 public:
  /// Watches `window` when DIGITLAB_STARTUP_PROBE is set; does nothing otherwise.
  explicit StartupProbe(MainWindow* window);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void report(const char* what);
  void quitWhenDone();

  bool painted_ = false;
  bool modelDone_ = false;
};

}  // namespace digitlab::app
