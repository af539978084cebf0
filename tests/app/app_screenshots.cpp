// Takes the README's screenshots from the running app: run under Xvfb (xcb platform), it drives the real
// main window and grabs the X screen. Usage: xvfb-run -s "-screen 0 1280x800x24" app_screenshots OUT_DIR
#include "canvas_widget.h"
#include "dataset_chooser.h"
#include "draw_tab.h"
#include "explain_panel.h"
#include "main_window.h"
#include "sample_adder.h"
#include "stroke_writer.h"
#include "train_tab.h"
#include "training_charts.h"
#include "upload_tab.h"

#include <digitlab/runtime.h>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QPushButton>
#include <QRandomGenerator>
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

/// Teaches the app three symbols as a user would (20 drawings of each added to a fresh samples folder, "My samples"
/// trained and used), then has it read a new alpha. False when the run fails.
bool readASymbol(digitlab::app::MainWindow& window, const QString& samplesFolder) {
  using namespace digitlab::apptest;
  window.setSamplesFolder(samplesFolder);
  window.tabs()->setCurrentWidget(window.drawTab());
  QRandomGenerator random(7);
  auto* canvas = window.drawTab()->canvas();
  for (const QString& symbol : symbolNames()) {
    window.drawTab()->sampleAdder()->setName(symbol);
    for (int i = 0; i < 20; ++i) {
      window.drawTab()->clear();
      drawVaried(canvas, symbolStrokes(symbol), randomVariation(random), random);
      window.drawTab()->sampleAdder()->addAsNamed();
    }
  }
  auto* train = window.trainTab();
  window.tabs()->setCurrentWidget(train);
  auto* dataset = train->findChild<QComboBox*>("dataset");
  dataset->setCurrentIndex(dataset->findData(static_cast<int>(digitlab::app::DatasetChooser::Choice::kMySamples)));
  train->start();
  if (!waitFor([&] { return !train->busy(); }, 600) || !train->useModelButton()->isEnabled()) return false;
  settle();
  train->useModelButton()->click();
  if (!waitFor([&] { return window.modelPath().startsWith(train->lastRunFolder()); }, 60)) return false;
  window.tabs()->setCurrentWidget(window.drawTab());
  window.drawTab()->clear();
  // A box about square on the wide canvas.
  drawVaried(canvas, symbolStrokes(symbolNames().front()), {QRectF(0.3, 0.17, 0.4, 0.66), 0.1, 0.0, 22}, random);
  window.drawTab()->predict();
  window.drawTab()->sampleAdder()->setName(symbolNames().front());
  return true;
}

/// "Show where it looked" on a drawn 2 and on the photo of the Upload tab; the maps are off again afterwards.
bool shootExplanations(digitlab::app::MainWindow& window, const QDir& out) {
  auto* draw = window.drawTab();
  window.tabs()->setCurrentWidget(draw);
  draw->clear();
  digitlab::apptest::drawDigit(draw->canvas(), 2, QRectF(0.25, 0.14, 0.5, 0.72));
  draw->explainPanel()->setOn(true);
  draw->predict();
  auto ready = [](const digitlab::app::ExplainPanel* p) { return p->shownTarget() >= 0 && !p->working(); };
  bool ok = waitFor([&] { return ready(draw->explainPanel()); }, 30);
  settle();
  ok = ok && shoot(&window, out.filePath("explain-draw.png"));
  draw->explainPanel()->setOn(false);
  auto* upload = window.uploadTab();
  window.tabs()->setCurrentWidget(upload);
  upload->explainPanel()->setOn(true);
  ok = waitFor([&] { return ready(upload->explainPanel()); }, 30) && ok;
  settle();
  ok = ok && shoot(&window, out.filePath("explain-photo.png"));
  upload->explainPanel()->setOn(false);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("DigitLab");
  QApplication::setOrganizationName("DigitLab");
  // --explain-only: the Draw, Upload, explanation and number shots, without the training runs.
  if (argc != 2 && !(argc == 3 && QString(argv[2]) == "--explain-only")) {
    std::fprintf(stderr, "usage: app_screenshots OUT_DIR [--explain-only]   (under Xvfb)\n");
    return 2;
  }
  const QDir out(QString::fromLocal8Bit(argv[1]));
  QStandardPaths::setTestModeEnabled(true);  // leave the user's settings alone
  QSettings().clear();
  digitlab::configure_threads(0);
  QTemporaryDir runs;

  digitlab::app::MainWindow window;
  window.resize(1180, 680);  // the default size: fits a 1280x720 laptop screen with its taskbar
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

  // Explain: where the model looked, on a drawing and on the photo.
  ok = shootExplanations(window, out) && ok;

  // Upload, number mode: a 12-megapixel phone photo of "12345678", a box on each digit.
  window.openImageFile(QStringLiteral(DIGITLAB_REALWORLD_DIR "/../realworld-numbers/images/muztagh_IMG_1703.jpg"));
  window.uploadTab()->setNumberMode(true);
  settle();
  ok = shoot(&window, out.filePath("number.png")) && ok;
  window.uploadTab()->setNumberMode(false);
  if (argc == 3) return ok ? 0 : 1;

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

  // Draw, after teaching it three symbols of one's own: an alpha read by the model trained on them.
  if (!readASymbol(window, runs.filePath("my-samples"))) {
    std::fprintf(stderr, "app_screenshots: training on the symbols failed: %s\n",
                 qPrintable(window.trainTab()->error()));
    return 1;
  }
  settle();
  ok = shoot(&window, out.filePath("symbols.png")) && ok;
  QSettings().clear();
  return ok ? 0 : 1;
}
