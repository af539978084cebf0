// Teaching the app new symbols, as a user would, on Qt's offscreen platform: 3 symbols that are not digits, drawn
// 20 times each with the stroke writer (each copy moved, sized, slanted and thickened at random), added with the
// Draw tab's "Add to my samples", trained in the Train tab as "My samples (new classes)", used, and read on new
// drawings; then the quick fine-tune "MNIST + my samples". Prints the figures; trains, so it is in the slow set.
#include "canvas_widget.h"
#include "confusion_matrix_view.h"
#include "dataset_chooser.h"
#include "draw_tab.h"
#include "main_window.h"
#include "probability_chart.h"
#include "result_panel.h"
#include "sample_adder.h"
#include "stroke_writer.h"
#include "train_tab.h"
#include "upload_tab.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <memory>
#include <thread>

using digitlab::app::DatasetChooser;
using digitlab::app::MainWindow;
using digitlab::apptest::drawVaried;
using digitlab::apptest::randomVariation;
using digitlab::apptest::symbolNames;
using digitlab::apptest::symbolStrokes;

namespace {

const QString kMnistDir = QStringLiteral(DIGITLAB_MNIST_DIR);
constexpr int kSamplesPerSymbol = 20;
constexpr int kReadsPerSymbol = 20;

/// CPU time this process has used, in seconds, over all its threads.
double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

QJsonObject readMetrics(const QString& runFolder) {
  QFile file(runFolder + "/metrics.json");
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

}  // namespace

class SymbolsTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;
  QTemporaryDir tmp_;
  QRandomGenerator random_{20260115};

  digitlab::app::DrawTab* draw() { return window_->drawTab(); }
  digitlab::app::TrainTab* train() { return window_->trainTab(); }

  void drawSymbol(const QString& symbol) {
    draw()->clear();
    drawVaried(draw()->canvas(), symbolStrokes(symbol), randomVariation(random_), random_);
  }

  /// Picks `choice` in the Train tab's list, as a user would, and sets the run's device and folders.
  void chooseDataset(DatasetChooser::Choice choice) {
    auto* combo = train()->findChild<QComboBox*>("dataset");
    QVERIFY(combo != nullptr);
    combo->setCurrentIndex(combo->findData(static_cast<int>(choice)));
    digitlab::TrainConfig c = train()->config();  // the choice's recipe
    c.device = "cpu";
    c.data_dir = kMnistDir.toStdString();
    train()->setConfig(c);
    QCOMPARE(train()->datasetChooser()->choice(), choice);
    train()->setOutputFolder(tmp_.filePath("runs"));
  }

  /// Starts a run and waits for its end; *seconds is its wall time, *cpu the CPU time it used.
  void runTraining(double* seconds, double* cpu = nullptr) {
    QElapsedTimer clock;
    clock.start();
    const double cpuBefore = cpuSeconds();
    train()->start();
    QVERIFY2(train()->busy(), qPrintable(train()->error()));
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 900000);
    *seconds = clock.elapsed() / 1000.0;
    if (cpu != nullptr) *cpu = cpuSeconds() - cpuBefore;
  }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setApplicationName("DigitLab");
    QCoreApplication::setOrganizationName("DigitLab");
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(tmp_.isValid());
    window_ = std::make_unique<MainWindow>();
    window_->setSamplesFolder(tmp_.filePath("my-samples"));
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!window_->modelLoading(), 30000);
    qInfo("CPU cores: %u", std::thread::hardware_concurrency());
  }

  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void drawnSymbolsAreAddedToMySamples() {
    window_->tabs()->setCurrentWidget(draw());
    auto* add = draw()->findChild<QPushButton*>("addSample");
    QVERIFY(add != nullptr);
    for (const QString& symbol : symbolNames()) {
      draw()->sampleAdder()->setName(symbol);
      for (int i = 0; i < kSamplesPerSymbol; ++i) {
        drawSymbol(symbol);
        QTest::mouseClick(add, Qt::LeftButton);
      }
      QCOMPARE(window_->statusBar()->currentMessage(),
               QString("Added to my samples: %1 (%2 samples)").arg(symbol).arg(kSamplesPerSymbol));
    }
    for (const QString& symbol : symbolNames())
      QCOMPARE(QDir(tmp_.filePath("my-samples/" + symbol)).entryList({"*.png"}).size(), kSamplesPerSymbol);
  }

  void mySamplesTrainANewModelThatReadsTheSymbols() {
    window_->tabs()->setCurrentWidget(train());
    chooseDataset(DatasetChooser::Choice::kMySamples);
    auto* summary = train()->findChild<QLabel*>("samplesSummary");
    QVERIFY2(summary->text().startsWith("3 classes in my samples"), qPrintable(summary->text()));
    QVERIFY2(!summary->text().contains("Too few"), qPrintable(summary->text()));
    double seconds = 0;
    runTraining(&seconds);
    QVERIFY2(train()->error().isEmpty(), qPrintable(train()->error()));
    qInfo("My samples (3 symbols x %d): trained in %.1f s", kSamplesPerSymbol, seconds);
    const QJsonObject metrics = readMetrics(train()->lastRunFolder());
    qInfo("held-out test accuracy %.1f%%, best epoch %d", metrics.value("test_accuracy").toDouble() * 100,
          metrics.value("best_epoch").toInt());
    // The confusion matrix is named with the symbols, under "class" axis titles.
    const auto* matrix = train()->findChild<digitlab::app::ConfusionMatrixView*>();
    QCOMPARE(matrix->rowCount(), 3);
    QStringList heads;
    for (int c = 0; c < 3; ++c) heads << matrix->verticalHeaderItem(c)->text();
    QStringList sorted = symbolNames();
    sorted.sort();
    QCOMPARE(heads, sorted);
    QCOMPARE(train()->findChild<QWidget*>("predictedAxis")->accessibleName(), QString("predicted class"));

    // "Use this model": Draw and Upload name the symbols at once.
    QTest::mouseClick(train()->useModelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window_->modelPath(), train()->lastRunFolder() + "/digitnet.pt", 30000);
    QCOMPARE(draw()->resultPanel()->chart()->barLabels(), sorted);
    QCOMPARE(window_->uploadTab()->resultPanel()->chart()->barLabels(), sorted);

    // New drawings of each symbol, never seen in training.
    window_->tabs()->setCurrentWidget(draw());
    QElapsedTimer clock;
    clock.start();
    int correct = 0;
    QStringList misread;
    for (const QString& symbol : symbolNames()) {
      for (int i = 0; i < kReadsPerSymbol; ++i) {
        drawSymbol(symbol);
        draw()->predict();
        const QString answer = draw()->resultPanel()->answer();
        if (answer == symbol) {
          ++correct;
        } else {
          misread << symbol + "→" + answer;
        }
      }
    }
    const int total = kReadsPerSymbol * static_cast<int>(symbolNames().size());
    const double percent = 100.0 * correct / total;
    qInfo("new drawings read correctly: %d of %d (%.1f%%) in %lld ms; misread: %s", correct, total, percent,
          static_cast<long long>(clock.elapsed()), qPrintable(misread.join(", ")));
    QVERIFY2(percent >= 90.0, qPrintable(QString("%1% read correctly").arg(percent)));

    // An upload of a drawn symbol is named too.
    drawSymbol(symbolNames().front());
    const QString png = tmp_.filePath("symbol.png");
    QVERIFY(draw()->canvas()->image().save(png));
    QVERIFY(window_->openImageFile(png));
    QCOMPARE(window_->uploadTab()->resultPanel()->answer(), symbolNames().front());
  }

  void fineTuningOnMySamplesIsQuick() {
    // MNIST + my samples, from the model in use (the symbols' model): its quick recipe.
    window_->tabs()->setCurrentWidget(train());
    chooseDataset(DatasetChooser::Choice::kMnistPlusMySamples);
    const digitlab::TrainConfig c = train()->config();
    QVERIFY(c.dataset.has_value());
    QCOMPARE(QString::fromStdString(c.init_from.string()), window_->modelPath());
    double seconds = 0;
    double cpu = 0;
    runTraining(&seconds, &cpu);
    QVERIFY2(train()->error().isEmpty(), qPrintable(train()->error()));
    const QJsonObject metrics = readMetrics(train()->lastRunFolder());
    const QJsonArray names = metrics.value("class_names").toArray();
    qInfo(
        "MNIST + my samples fine-tune (%d epochs, %lld images, %u cores): %.1f s wall, %.1f s CPU time, "
        "test accuracy %.2f%% over %d classes",
        c.epochs, static_cast<long long>(c.limit), std::thread::hardware_concurrency(), seconds, cpu,
        metrics.value("test_accuracy").toDouble() * 100, static_cast<int>(names.size()));
    QCOMPARE(names.size(), 13);  // ten digits and three symbols
    const QJsonArray perClass = metrics.value("per_class_accuracy").toArray();
    QStringList symbols;
    for (int c = 10; c < 13 && c < perClass.size(); ++c)
      symbols << QString("%1 %2%").arg(names[c].toString()).arg(perClass[c].toDouble() * 100, 0, 'f', 0);
    for (const QJsonValue& epoch : metrics.value("history").toArray())
      qInfo("epoch %d: %.1f s", epoch.toObject().value("epoch").toInt(), epoch.toObject().value("seconds").toDouble());
    qInfo("held-out samples of the symbols read: %s", qPrintable(symbols.join(", ")));
    // Under a minute on 2 cores. When other programs share the cores the wall time says little; the CPU time the
    // run used bounds its wall time on 2 free cores (it keeps at least one busy throughout).
    QVERIFY2(seconds < 60.0 || cpu < 60.0,
             qPrintable(QString("the fine-tune took %1 s (%2 s of CPU time)").arg(seconds).arg(cpu)));
  }
};

QTEST_MAIN(SymbolsTest)
#include "test_symbols.moc"
