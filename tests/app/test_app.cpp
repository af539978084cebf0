// The desktop app driven like a user would, on Qt's offscreen platform: drawing and predicting, uploads, bad
// files, and a tiny training run from the Train tab with its plot, progress, Stop and "Use this model".
#include "canvas_widget.h"
#include "confusion_matrix_view.h"
#include "draw_tab.h"
#include "image_view.h"
#include "main_window.h"
#include "result_panel.h"
#include "stall_meter.h"
#include "stroke_writer.h"
#include "train_tab.h"
#include "training_charts.h"
#include "unsafe_model.h"
#include "upload_tab.h"

#include <digitlab/mnist.h>
#include <digitlab/mnist_downloader.h>

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUrl>

#include <memory>

using digitlab::app::MainWindow;
using digitlab::apptest::drawDigit;

namespace {

const QString kMnistDir = QStringLiteral(DIGITLAB_MNIST_DIR);
const QString kRealWorldDir = QStringLiteral(DIGITLAB_REALWORLD_DIR);
const QString kRealWorldNumbersDir = QStringLiteral(DIGITLAB_REALWORLD_DIR "/../realworld-numbers");

using digitlab::app::testing::StallMeter;

}  // namespace

class AppTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;
  QTemporaryDir tmp_;

  digitlab::app::DrawTab* draw() { return window_->drawTab(); }
  digitlab::app::TrainTab* train() { return window_->trainTab(); }
  QString drawnAnswer() { return draw()->resultPanel()->answer(); }
  void tinyConfig(int limit, int epochs, int batch) {
    digitlab::TrainConfig c;
    c.epochs = epochs;
    c.batch_size = batch;
    c.limit = limit;
    c.augment = false;
    c.device = "cpu";
    c.data_dir = kMnistDir.toStdString();
    train()->setConfig(c);
    train()->setOutputFolder(tmp_.filePath("runs"));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // settings and data go to a test location
    QSettings().clear();
    QVERIFY(tmp_.isValid());
    QElapsedTimer clock;
    clock.start();
    window_ = std::make_unique<MainWindow>();
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    const qint64 startupMs = clock.elapsed();
    qInfo("window shown with the model loaded after %lld ms", static_cast<long long>(startupMs));
    QVERIFY2(startupMs < 3000, qPrintable(QString("startup took %1 ms").arg(startupMs)));
  }

  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void startsWithTheBundledModel() {
    // The model loads in the background; the window was usable before it was ready.
    QTRY_VERIFY_WITH_TIMEOUT(!window_->modelLoading(), 30000);
    QVERIFY2(window_->modelPath().endsWith("models/digitnet.pt"), qPrintable(window_->modelPath()));
    QVERIFY2(window_->modelStatus().contains("test accuracy 99."), qPrintable(window_->modelStatus()));
  }

  void drawnDigitsArePredicted_data() {
    QTest::addColumn<int>("digit");
    QTest::newRow("one") << 1;
    QTest::newRow("zero") << 0;
    QTest::newRow("seven") << 7;
  }

  void drawnDigitsArePredicted() {
    QFETCH(int, digit);
    window_->tabs()->setCurrentWidget(draw());
    draw()->setNumberMode(false);
    draw()->setLiveMode(false);
    draw()->clear();
    drawDigit(draw()->canvas(), digit);
    QVERIFY(!draw()->canvas()->isEmpty());
    QTest::mouseClick(draw()->findChild<QPushButton*>("predictButton"), Qt::LeftButton);
    QCOMPARE(drawnAnswer(), QString::number(digit));
    const auto p = draw()->resultPanel()->chartedProbabilities();
    QVERIFY(p[static_cast<size_t>(digit)] > 0.5f);
    float sum = 0;
    for (float v : p) sum += v;
    QVERIFY(qAbs(sum - 1.0f) < 1e-3f);
  }

  void emptyCanvasSaysSoInsteadOfPredicting() {
    draw()->clear();
    draw()->predict();
    QVERIFY(drawnAnswer().isEmpty());
    QVERIFY2(draw()->resultPanel()->message().contains("empty"), qPrintable(draw()->resultPanel()->message()));
  }

  void clearEmptiesCanvasAndResult() {
    drawDigit(draw()->canvas(), 7);
    draw()->predict();
    QCOMPARE(drawnAnswer(), QString("7"));
    window_->tabs()->setCurrentWidget(draw());
    draw()->canvas()->setFocus();
    QTest::keyClick(draw()->canvas(), Qt::Key_Delete);
    QVERIFY(draw()->canvas()->isEmpty());
    QVERIFY(drawnAnswer().isEmpty());
    QVERIFY(draw()->resultPanel()->chartedProbabilities()[7] == 0.0f);
  }

  void undoRemovesTheLastStroke() {
    draw()->clear();
    drawDigit(draw()->canvas(), 7);
    drawDigit(draw()->canvas(), 1, QRectF(0.8, 0.1, 0.1, 0.3));
    QCOMPARE(draw()->canvas()->strokeCount(), 2);
    QTest::keyClick(draw()->canvas(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(draw()->canvas()->strokeCount(), 1);
  }

  void undoAndNewStrokesMarkTheAnswerOutOfDate() {
    draw()->clear();
    drawDigit(draw()->canvas(), 7);
    draw()->predict();
    QVERIFY(!draw()->resultPanel()->outOfDate());
    QTest::keyClick(draw()->canvas(), Qt::Key_Z, Qt::ControlModifier);  // undo: an empty canvas says so
    QVERIFY(drawnAnswer().isEmpty());
    drawDigit(draw()->canvas(), 7);
    draw()->predict();
    drawDigit(draw()->canvas(), 1, QRectF(0.85, 0.1, 0.1, 0.3));  // a new stroke: the old answer no longer holds
    QVERIFY(draw()->resultPanel()->outOfDate());
    drawDigit(draw()->canvas(), 1, QRectF(0.85, 0.6, 0.1, 0.3));
    QTest::keyClick(draw()->canvas(), Qt::Key_Z, Qt::ControlModifier);  // undo on a two-stroke drawing
    QVERIFY(draw()->resultPanel()->outOfDate());
    draw()->predict();
    QVERIFY(!draw()->resultPanel()->outOfDate());
    draw()->clear();
  }

  void statusBarMessagesHaveRoomBesideTheModel() {
    window_->resize(1280, 720);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    draw()->clear();
    window_->tabs()->setCurrentWidget(draw());
    QTest::keySequence(window_.get(), QKeySequence::Save);  // Ctrl+S on an empty canvas
    QVERIFY2(window_->statusBar()->currentMessage().contains("empty"),
             qPrintable(window_->statusBar()->currentMessage()));
    // The permanent model label sits at the right; the left half of the bar is free for the message.
    const auto* model = window_->findChild<QLabel*>("modelLabel");
    QVERIFY(model != nullptr);
    QVERIFY2(model->geometry().left() > window_->statusBar()->width() / 2,
             qPrintable(QString("the model label starts at x=%1").arg(model->geometry().left())));
  }

  void predictAsIDrawWaitsForAPause() {
    draw()->clear();
    draw()->setLiveMode(true);
    QSignalSpy updates(draw()->resultPanel(), &digitlab::app::ResultPanel::updated);
    drawDigit(draw()->canvas(), 7);  // dozens of mouse moves in one go
    QCOMPARE(updates.count(), 0);    // nothing yet: the pen has not paused
    QTRY_COMPARE(drawnAnswer(), QString("7"));
    QCOMPARE(updates.count(), 1);  // one prediction for the whole burst
    draw()->setLiveMode(false);
  }

  void numberModeReadsAWholeNumber() {
    draw()->clear();
    draw()->setNumberMode(true);
    const int digits[] = {2, 0, 2, 6};
    for (int i = 0; i < 4; ++i) drawDigit(draw()->canvas(), digits[i], QRectF(0.05 + i * 0.235, 0.3, 0.17, 0.4));
    draw()->predict();
    QCOMPARE(drawnAnswer(), QString("2026"));
    draw()->setNumberMode(false);
    draw()->clear();
  }

  void uploadShowsPreviewAndPrediction() {
    const QString path = kRealWorldDir + "/images/7era_7.png";
    QVERIFY(window_->openImageFile(path));
    auto* upload = window_->uploadTab();
    QCOMPARE(window_->tabs()->currentWidget(), upload);
    QVERIFY(upload->error().isEmpty());
    for (int i = 0; i < 5; ++i) QVERIFY2(!upload->stage(i)->image().isNull(), qPrintable(QString("stage %1").arg(i)));
    QCOMPARE(upload->stage(4)->image().size(), QSize(28, 28));
    QCOMPARE(upload->resultPanel()->answer(), QString("7"));
    // Which file is open shows in the window title and over the original.
    QCOMPARE(window_->windowTitle(), QString("7era_7.png – DigitLab"));
    QCOMPARE(upload->stage(0)->caption(), QString("Original: 7era_7.png"));
  }

  void numberUploadShowsTheInkOfEveryDigitAndOfThePickedOne() {
    auto* upload = window_->uploadTab();
    upload->setNumberMode(true);
    QVERIFY(window_->openImageFile(kRealWorldNumbersDir + "/images/huangzy_6789.png"));
    QCOMPARE(upload->resultPanel()->answer(), QString("6789"));
    // Ink of all four digits: the mask has ink in each quarter of its width.
    const QImage all = upload->stage(2)->image();
    QVERIFY(!all.isNull());
    const auto inkIn = [](const QImage& mask, int from, int to) {
      int ink = 0;
      for (int y = 0; y < mask.height(); ++y)
        for (int x = from; x < to; ++x) ink += qGray(mask.pixel(x, y)) > 127;
      return ink;
    };
    const int w = all.width();
    for (int q = 0; q < 4; ++q)
      QVERIFY2(inkIn(all, q * w / 4, (q + 1) * w / 4) > 0, qPrintable(QString("quarter %1").arg(q)));
    // Picking the last digit shows its ink only: nothing in the left half.
    const auto buttons = upload->resultPanel()->findChildren<QToolButton*>();
    QCOMPARE(buttons.size(), 4);
    QTest::mouseClick(buttons.last(), Qt::LeftButton);
    const QImage last = upload->stage(2)->image();
    QCOMPARE(upload->stage(2)->caption(), QString("Ink found: digit 4"));
    QCOMPARE(inkIn(last, 0, w / 2), 0);
    QVERIFY(inkIn(last, 3 * w / 4, w) > 0);
    upload->setNumberMode(false);
  }

  void pastedImageIsRead() {
    QImage image(kRealWorldDir + "/images/7era_3.png");
    QVERIFY(!image.isNull());
    QGuiApplication::clipboard()->setImage(image);
    window_->pasteImage();
    QCOMPARE(window_->uploadTab()->resultPanel()->answer(), QString("3"));
  }

  void badFileGivesAMessageAndTheAppKeepsWorking() {
    const QString bad = tmp_.filePath("not-an-image.png");
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is text, not a picture\n");
    file.close();
    QVERIFY(!window_->openImageFile(bad));
    const QString error = window_->uploadTab()->error();
    QVERIFY2(error.contains("not-an-image.png"), qPrintable(error));
    QVERIFY(window_->uploadTab()->resultPanel()->answer().isEmpty());
    QVERIFY(!window_->openImageFile(tmp_.filePath("missing.png")));
    // A good file afterwards clears the message; drawing still works.
    QVERIFY(window_->openImageFile(kRealWorldDir + "/images/7era_7.png"));
    QVERIFY(window_->uploadTab()->error().isEmpty());
    draw()->clear();
    drawDigit(draw()->canvas(), 1);
    draw()->predict();
    QCOMPARE(drawnAnswer(), QString("1"));
  }

  void badModelFileKeepsTheCurrentModel() {
    const QString before = window_->modelPath();
    QString error;
    QVERIFY(!window_->loadModel(tmp_.filePath("not-an-image.png"), &error));
    QVERIFY2(error.contains("not-an-image.png"), qPrintable(error));
    QCOMPARE(window_->modelPath(), before);
  }

  void unsafeModelRunsOnlyWhenTheUserTrustsIt() {
    // A model that prints: refused before it runs; the question defaults to No.
    const QString path = tmp_.filePath("prints.pt");
    writePrintingModel(path.toStdString());
    const QString before = window_->modelPath();
    QString asked;
    window_->setTrustPrompt([&](const QString&, const QString& reason) {
      asked = reason;
      return false;
    });
    window_->loadModelInBackground(path, /*byUser=*/true);
    QTRY_VERIFY_WITH_TIMEOUT(!window_->modelLoading(), 30000);
    QVERIFY2(asked.contains("prim::Print"), qPrintable(asked));
    QCOMPARE(window_->modelPath(), before);
    window_->setTrustPrompt([](const QString&, const QString&) { return true; });
    window_->loadModelInBackground(path, /*byUser=*/true);
    QTRY_COMPARE_WITH_TIMEOUT(window_->modelPath(), path, 30000);
    window_->setTrustPrompt(nullptr);
    QVERIFY(window_->loadModel(before));
  }

  void mixedPrecisionIsUntickedOnTheCpuAndTheChoiceIsKept() {
    auto* amp = train()->findChild<QCheckBox*>("mixedPrecision");
    QVERIFY(amp != nullptr);
    digitlab::TrainConfig c;
    c.device = "cpu";
    c.amp = true;
    train()->setConfig(c);
    QVERIFY(!amp->isEnabled());
    QVERIFY2(!amp->isChecked(), "a greyed-out box should not look ticked");
    QVERIFY(train()->config().amp);  // the user's choice, for when a GPU is chosen
    c.amp = false;
    train()->setConfig(c);
    QVERIFY(!train()->config().amp);
  }

  void tinyTrainingRunCanBeUsed() {
    window_->tabs()->setCurrentWidget(train());
    tinyConfig(/*limit=*/600, /*epochs=*/2, /*batch=*/32);
    QSignalSpy activity(train(), &digitlab::app::TrainTab::activityChanged);
    train()->start();
    QVERIFY(train()->busy());
    // Outside the Train tab, the status bar says a run is going on.
    QTRY_VERIFY_WITH_TIMEOUT(window_->trainingStatus().startsWith("Training: epoch 1 of 2"), 60000);
    // Drawing and predicting keep working, and stay quick, while the worker trains on every core.
    QTRY_VERIFY_WITH_TIMEOUT(train()->charts()->batchPointCount() >= 1, 60000);
    draw()->clear();
    drawDigit(draw()->canvas(), 0);
    qint64 slowest = 0;
    for (int i = 0; i < 5; ++i) {
      QElapsedTimer clock;
      clock.start();
      draw()->predict();
      slowest = std::max(slowest, clock.elapsed());
    }
    QCOMPARE(drawnAnswer(), QString("0"));
    qInfo("slowest of 5 predictions during training: %lld ms", static_cast<long long>(slowest));
    QVERIFY2(slowest < 100, qPrintable(QString("a prediction took %1 ms").arg(slowest)));
    StallMeter stalls;  // from here on only the event loop runs on this thread
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 180000);
    QVERIFY2(train()->error().isEmpty(), qPrintable(train()->error()));
    QVERIFY(train()->charts()->batchPointCount() > 0);
    QCOMPARE(train()->charts()->epochPointCount(), 2);
    QCOMPARE(train()->progressBar()->value(), train()->progressBar()->maximum());
    qInfo("longest event-loop stall during training: %lld ms", static_cast<long long>(stalls.longestMs()));
    QVERIFY2(stalls.longestMs() < 100, qPrintable(QString("stalled %1 ms").arg(stalls.longestMs())));
    // The last phase said what it was doing, and the status bar is clear again.
    QStringList said;
    for (const auto& args : activity) said << args.at(0).toString();
    QVERIFY2(said.contains("Training: Measuring the best model on 10000 test images…"), qPrintable(said.join(" | ")));
    QVERIFY(window_->trainingStatus().isEmpty());
    QVERIFY(QFile::exists(train()->lastRunFolder() + "/digitnet.pt"));
    // The confusion matrix shows every one of the 10,000 test images, and its diagonal is the test accuracy.
    const auto* matrix = train()->findChild<digitlab::app::ConfusionMatrixView*>();
    QVERIFY(matrix != nullptr);
    QCOMPARE(matrix->rowCount(), 10);
    qint64 shown = 0, correct = 0;
    for (int l = 0; l < matrix->rowCount(); ++l) {
      for (int p = 0; p < matrix->columnCount(); ++p) {
        QVERIFY(matrix->item(l, p) != nullptr);
        const qint64 n = matrix->item(l, p)->text().toLongLong();
        shown += n;
        if (l == p) correct += n;
      }
    }
    QCOMPARE(shown, qint64{10000});
    QFile metrics(train()->lastRunFolder() + "/metrics.json");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    const double accuracy = QJsonDocument::fromJson(metrics.readAll()).object().value("test_accuracy").toDouble();
    QCOMPARE(correct, qRound64(accuracy * 10000));
    QVERIFY(train()->useModelButton()->isEnabled());
    QTest::mouseClick(train()->useModelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window_->modelPath(), train()->lastRunFolder() + "/digitnet.pt", 30000);
    QVERIFY2(window_->modelStatus().contains(QDir(train()->lastRunFolder()).dirName()),
             qPrintable(window_->modelStatus()));
    draw()->predict();  // the new model answers
    QVERIFY(!drawnAnswer().isEmpty());
    QVERIFY(window_->loadModel(QStringLiteral(DIGITLAB_SOURCE_DIR "/models/digitnet.pt")));
  }

  void stopEndsTheRunQuicklyAndKeepsTheBestModel() {
    tinyConfig(/*limit=*/1500, /*epochs=*/30, /*batch=*/32);
    train()->start();
    QTRY_VERIFY_WITH_TIMEOUT(train()->charts()->epochPointCount() >= 1, 120000);
    const int afterFirstEpoch = train()->charts()->batchPointCount();
    QTRY_VERIFY_WITH_TIMEOUT(train()->charts()->batchPointCount() >= afterFirstEpoch + 2, 60000);  // into epoch 2
    QElapsedTimer clock;
    clock.start();
    train()->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 10000);
    qInfo("Stop ended the run after %lld ms", static_cast<long long>(clock.elapsed()));
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString("stop took %1 ms").arg(clock.elapsed())));
    QVERIFY(train()->progressBar()->value() < train()->progressBar()->maximum());
    QVERIFY2(train()->progressBar()->format().startsWith("Stopped"), qPrintable(train()->progressBar()->format()));
    QVERIFY(train()->charts()->epochPointCount() < 30);
    QVERIFY(QFile::exists(train()->lastRunFolder() + "/digitnet.pt"));
    // The test set was not measured: the confusion matrix holds no counts.
    const auto* matrix = train()->findChild<digitlab::app::ConfusionMatrixView*>();
    QVERIFY(matrix != nullptr);
    for (int l = 0; l < matrix->rowCount(); ++l) {
      for (int p = 0; p < matrix->columnCount(); ++p) {
        QVERIFY(matrix->item(l, p) == nullptr || matrix->item(l, p)->text().isEmpty());
      }
    }
    QVERIFY(train()->useModelButton()->isEnabled());
    // The summary of a stopped run is long; the matrix still shows all ten rows, none under the buttons.
    QTest::qWait(20);
    for (int row = 0; row < matrix->rowCount(); ++row) {
      const QRect cell = matrix->visualRect(matrix->model()->index(row, 0));
      QVERIFY2(matrix->viewport()->rect().contains(cell), qPrintable(QString("row %1 hidden").arg(row)));
    }
  }

  void openFolderWithoutAFileManagerSaysWhereTheRunIs() {
    QPushButton* open = nullptr;
    for (QPushButton* b : train()->findChildren<QPushButton*>())
      if (b->text() == "Open folder") open = b;
    QVERIFY(open != nullptr && open->isEnabled());
    // No xdg-open or any other opener on the PATH: Qt cannot open the folder.
    QTemporaryDir emptyBin;
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", emptyBin.path().toUtf8());
    QTest::mouseClick(open, Qt::LeftButton);
    qputenv("PATH", path);
    QVERIFY2(train()->error().contains(train()->lastRunFolder()), qPrintable(train()->error()));
  }

  void corruptDatasetShowsAMessage() {
    QTemporaryDir data;
    for (const auto& f : digitlab::mnist_files()) {
      QFile file(data.filePath(QString(f.name)));
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write("garbage");
    }
    tinyConfig(600, 1, 32);
    digitlab::TrainConfig c = train()->config();
    c.data_dir = data.path().toStdString();
    train()->setConfig(c);
    train()->start();
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 30000);
    QVERIFY2(train()->error().contains("train-images-idx3-ubyte"), qPrintable(train()->error()));
    QVERIFY(!train()->useModelButton()->isEnabled());
  }

  void missingDatasetIsDownloadedFromAMirror() {
    if (!digitlab::MnistDownloader::available()) QSKIP("this build cannot download");
    QTemporaryDir data;
    qputenv("DIGITLAB_MNIST_MIRRORS", QUrl::fromLocalFile(kMnistDir).toString().toUtf8());
    tinyConfig(600, 1, 32);
    digitlab::TrainConfig c = train()->config();
    c.data_dir = (data.path() + "/mnist").toStdString();
    train()->setConfig(c);
    train()->downloadData();
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 60000);
    qunsetenv("DIGITLAB_MNIST_MIRRORS");
    QVERIFY2(train()->error().isEmpty(), qPrintable(train()->error()));
    QCOMPARE(train()->progressBar()->format(), QString("MNIST downloaded"));
    QVERIFY(digitlab::missing_mnist_files(c.data_dir).empty());
  }

  void unreachableMirrorShowsAMessage() {
    if (!digitlab::MnistDownloader::available()) QSKIP("this build cannot download");
    QTemporaryDir data;
    qputenv("DIGITLAB_MNIST_MIRRORS", "file:///nonexistent-mirror/");
    tinyConfig(600, 1, 32);
    digitlab::TrainConfig c = train()->config();
    c.data_dir = data.path().toStdString();
    train()->setConfig(c);
    train()->start();  // offers the download first
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 60000);
    qunsetenv("DIGITLAB_MNIST_MIRRORS");
    QVERIFY2(train()->error().contains("Cannot download MNIST"), qPrintable(train()->error()));
  }
};

QTEST_MAIN(AppTest)
#include "test_app.moc"
