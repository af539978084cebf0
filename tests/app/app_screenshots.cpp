// Takes the README's screenshots from the running app: run under Xvfb (xcb platform), it drives the real
// main window and grabs the X screen. Usage: xvfb-run -s "-screen 0 1280x800x24" app_screenshots OUT_DIR
#include "canvas_widget.h"
#include "draw_tab.h"
#include "main_window.h"
#include "stroke_writer.h"
#include "train_tab.h"
#include "training_charts.h"

#include <digitlab/runtime.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <functional>

namespace {

/// Runs the event loop until `done` holds or `seconds` pass; false on timeout.
bool waitFor(const std::function<bool()>& done, int seconds) {
  QElapsedTimer clock;
  clock.start();
  while (!done()) {
    if (clock.elapsed() > seconds * 1000) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    QThread::msleep(10);
  }
  return true;
}

void settle() {
  waitFor([] { return false; }, 1);  // let charts animate and repaint
}

bool shoot(QWidget* window, const QString& path) {
  const QRect frame = window->frameGeometry();
  const QPixmap shot =
      QGuiApplication::primaryScreen()->grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height());
  if (!shot.save(path, "PNG")) {
    std::fprintf(stderr, "app_screenshots: cannot write %s\n", qPrintable(path));
    return false;
  }
  std::printf("wrote %s (%dx%d)\n", qPrintable(path), shot.width(), shot.height());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("DigitLab");
  QApplication::setOrganizationName("DigitLab");
  if (argc != 2) {
    std::fprintf(stderr, "usage: app_screenshots OUT_DIR   (under Xvfb)\n");
    return 2;
  }
  const QDir out(QString::fromLocal8Bit(argv[1]));
  QStandardPaths::setTestModeEnabled(true);  // leave the user's settings alone
  QSettings().clear();
  digitlab::configure_threads(0);
  QTemporaryDir runs;

  digitlab::app::MainWindow window;
  window.resize(1180, 760);
  window.move(0, 0);
  window.show();
  settle();

  // Draw: a handwritten 7 and its prediction.
  window.tabs()->setCurrentWidget(window.drawTab());
  settle();
  digitlab::apptest::drawDigit(window.drawTab()->canvas(), 7, QRectF(0.25, 0.14, 0.5, 0.72));
  window.drawTab()->predict();
  settle();
  bool ok = shoot(&window, out.filePath("draw.png"));

  // Upload: a photo of a pen-written 6 with its preprocessing stages.
  window.openImageFile(QStringLiteral(DIGITLAB_REALWORLD_DIR "/images/leather_6.png"));
  settle();
  ok = shoot(&window, out.filePath("upload.png")) && ok;

  // Train: a short run, caught part-way with its plots.
  digitlab::TrainConfig config;
  config.epochs = 6;
  config.limit = 8000;
  config.batch_size = 64;
  config.data_dir = DIGITLAB_MNIST_DIR;
  window.tabs()->setCurrentWidget(window.trainTab());
  window.trainTab()->setConfig(config);
  window.trainTab()->setOutputFolder(runs.path());
  window.trainTab()->start();
  if (!waitFor([&] { return window.trainTab()->charts()->epochPointCount() >= 3; }, 600)) {
    std::fprintf(stderr, "app_screenshots: training did not reach epoch 3\n");
    return 1;
  }
  waitFor([&] { return window.trainTab()->charts()->batchPointCount() >= 5; }, 5);
  waitFor([] { return false; }, 4);
  ok = shoot(&window, out.filePath("train.png")) && ok;
  window.trainTab()->stop();
  waitFor([&] { return !window.trainTab()->busy(); }, 30);
  QSettings().clear();
  return ok ? 0 : 1;
}
