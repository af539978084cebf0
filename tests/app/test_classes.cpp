// Class names in the app, quickly and without training, on Qt's offscreen platform: the probability chart of a
// digit model is as it was and stays readable with 26 and 62 classes, the answer and the top 3 use the names, the
// confusion matrix of many classes is named and scrolls, "Add to my samples" and "Correct it" file the drawing, and
// the Train tab counts one's samples and warns about classes with too few, and its Recipe list fills the settings;
// with a model of other symbols the prompts say "symbol" and number mode is off, and a digit model brings both back.
#include "canvas_widget.h"
#include "class_model.h"
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

#include <digitlab/confusion_matrix.h>
#include <digitlab/digit_reader.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

using digitlab::app::MainWindow;
using digitlab::app::ProbabilityChart;

namespace {

/// `count` class names: the 26 capitals, or the 62 of EMNIST byclass (digits, capitals, small letters).
std::vector<std::string> classNames(int count) {
  std::string alphabet =
      count == 26 ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::vector<std::string> names;
  for (int c = 0; c < count; ++c) names.emplace_back(1, alphabet[static_cast<size_t>(c)]);
  return names;
}

/// Probabilities over `classes` classes, `best` the most probable, falling off with the distance from it.
std::vector<float> probabilitiesAround(int classes, int best) {
  std::vector<float> p(static_cast<size_t>(classes));
  for (int c = 0; c < classes; ++c) p[static_cast<size_t>(c)] = 1.0f / static_cast<float>(1 + 4 * std::abs(c - best));
  const float sum = std::accumulate(p.begin(), p.end(), 0.0f);
  for (float& v : p) v /= sum;
  return p;
}

QStringList filesIn(const QString& folder) { return QDir(folder).entryList({"*.png"}, QDir::Files); }

/// The "Read a number" check box of a tab.
QCheckBox* numberBox(QWidget* tab) {
  for (QCheckBox* box : tab->findChildren<QCheckBox*>())
    if (box->text() == "Read a &number (several digits)") return box;
  return nullptr;
}

/// The text of the label of `root` whose text contains `part`, or empty.
QString labelWith(QWidget* root, const QString& part) {
  for (QLabel* label : root->findChildren<QLabel*>())
    if (label->text().contains(part)) return label->text();
  return {};
}

/// The field that the label reading `text` ("Epochs:") names, as `T`, or null.
template <typename T>
T* fieldLabelled(QWidget* root, const QString& text) {
  for (QLabel* label : root->findChildren<QLabel*>())
    if (label->text() == text) return qobject_cast<T*>(label->buddy());
  return nullptr;
}

}  // namespace

class ClassesTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;
  QTemporaryDir tmp_;

  digitlab::app::DrawTab* draw() { return window_->drawTab(); }
  QString samples() { return tmp_.filePath("samples"); }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setApplicationName("DigitLab");
    QCoreApplication::setOrganizationName("DigitLab");
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(tmp_.isValid());
    window_ = std::make_unique<MainWindow>();
    window_->setSamplesFolder(samples());
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!window_->modelLoading(), 30000);
  }

  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void chartOfADigitModelIsUnchanged() {
    // The bundled model's chart: ten bars 0..9 in order, under the title it always had.
    ProbabilityChart* chart = draw()->resultPanel()->chart();
    QCOMPARE(chart->barLabels(), QStringList({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
    QCOMPARE(chart->title(), QString("Probability of each digit"));
    draw()->clear();
    digitlab::apptest::drawDigit(draw()->canvas(), 7);
    draw()->predict();
    QCOMPARE(draw()->resultPanel()->answer(), QString("7"));
    const std::vector<float> p = draw()->resultPanel()->chartedProbabilities();
    QCOMPARE(p.size(), size_t{10});
    QCOMPARE(chart->barValues(), p);  // one bar per digit, in order, nothing summed
    QCOMPARE(chart->barLabels().size(), 10);
    QVERIFY(draw()->resultPanel()->topThree().startsWith("Top 3: 7 "));
    draw()->clear();
  }

  void chartOfManyClassesShowsTheTopTenAndTheRest_data() {
    QTest::addColumn<int>("classes");
    QTest::addColumn<int>("best");
    QTest::newRow("26 letters") << 26 << 17;
    QTest::newRow("62 characters") << 62 << 40;
  }

  void chartOfManyClassesShowsTheTopTenAndTheRest() {
    QFETCH(int, classes);
    QFETCH(int, best);
    const std::vector<std::string> names = classNames(classes);
    ProbabilityChart chart;
    chart.resize(320, 220);
    chart.setClassNames(names);
    const std::vector<float> p = probabilitiesAround(classes, best);
    chart.setProbabilities(p, best);
    const QStringList labels = chart.barLabels();
    const std::vector<float> values = chart.barValues();
    // Eleven bars: the ten most probable classes by name, best first, then the others summed as "rest".
    QCOMPARE(labels.size(), ProbabilityChart::kMostBars);
    QCOMPARE(labels.front(), QString::fromStdString(names[static_cast<size_t>(best)]));
    QCOMPARE(labels.back(), QString("rest"));
    for (int i = 0; i < 10; ++i) {
      const auto at = std::find(names.begin(), names.end(), labels[i].toStdString());
      QVERIFY2(at != names.end(), qPrintable(labels[i]));
      QCOMPARE(values[static_cast<size_t>(i)], p[static_cast<size_t>(at - names.begin())]);
      if (i > 0) QVERIFY(values[static_cast<size_t>(i)] <= values[static_cast<size_t>(i - 1)]);
    }
    QVERIFY(qAbs(std::accumulate(values.begin(), values.end(), 0.0f) - 1.0f) < 1e-4f);
    QCOMPARE(chart.title(), QString("The 10 most probable of %1 classes").arg(classes));
    // To look at the chart: DIGITLAB_TEST_GRABS=DIR saves it there.
    const QString grabs = qEnvironmentVariable("DIGITLAB_TEST_GRABS");
    if (!grabs.isEmpty()) QVERIFY(chart.grab().save(QString("%1/chart-%2.png").arg(grabs).arg(classes)));
  }

  void answerAndTopThreeUseTheNames() {
    digitlab::app::ResultPanel panel;
    panel.setClassNames(classNames(26));
    digitlab::DigitReading d;
    d.input.found = true;
    d.input.input28 = digitlab::GrayImage(28, 28);
    d.prediction.label = 17;
    d.prediction.probabilities = probabilitiesAround(26, 17);
    d.prediction.name = "R";
    digitlab::ImageReading reading;
    reading.digits.push_back(d);
    panel.showReading(reading, /*number=*/false);
    QCOMPARE(panel.answer(), QString("R"));
    QVERIFY2(panel.topThree().startsWith("Top 3: R "), qPrintable(panel.topThree()));
    QVERIFY2(panel.topThree().contains("Q ") && panel.topThree().contains("S "), qPrintable(panel.topThree()));
    QCOMPARE(panel.chart()->barLabels().front(), QString("R"));
    QCOMPARE(panel.chartedProbabilities().size(), size_t{26});
  }

  void confusionMatrixOfManyClassesIsNamedAndScrolls() {
    digitlab::app::ConfusionMatrixView view;
    const QSize tenClasses = view.minimumSizeHint();
    QVERIFY(view.verticalScrollBarPolicy() == Qt::ScrollBarAlwaysOff);
    digitlab::ConfusionMatrix m(26);
    for (int c = 0; c < 26; ++c) m.add(c, c);
    view.setMatrix(m, classNames(26));
    QCOMPARE(view.rowCount(), 26);
    QCOMPARE(view.verticalHeaderItem(3)->text(), QString("D"));
    QCOMPARE(view.horizontalHeaderItem(25)->text(), QString("Z"));
    // It asks for the room of about a dozen classes, not 26, and scrolls to the rest.
    QVERIFY2(view.minimumSizeHint().height() < tenClasses.height() * 3 / 2,
             qPrintable(QString("%1 px high").arg(view.minimumSizeHint().height())));
    view.resize(view.minimumSizeHint());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.verticalScrollBar()->isVisible());
    QVERIFY(view.verticalScrollBar()->maximum() > 0);
    // Back to ten digits: every cell in view again, headed 0..9.
    view.setMatrix(digitlab::ConfusionMatrix(10));
    QCOMPARE(view.verticalHeaderItem(9)->text(), QString("9"));
    QVERIFY(view.verticalScrollBarPolicy() == Qt::ScrollBarAlwaysOff);
  }

  void addToMySamplesSavesTheDrawing() {
    window_->tabs()->setCurrentWidget(draw());
    draw()->clear();
    digitlab::apptest::drawDigit(draw()->canvas(), 7);
    draw()->sampleAdder()->setName("seven");
    auto* add = draw()->findChild<QPushButton*>("addSample");
    QVERIFY(add != nullptr && add->isVisible());
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(window_->statusBar()->currentMessage(), QString("Added to my samples: seven (1 sample)"));
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(window_->statusBar()->currentMessage(), QString("Added to my samples: seven (2 samples)"));
    QCOMPARE(filesIn(samples() + "/seven").size(), 2);
    // The name is offered the next time, with the model's classes.
    auto* names = draw()->findChild<QComboBox*>("sampleName");
    QVERIFY(names->findText("seven") >= 0 && names->findText("3") >= 0);
    // A name that cannot be a folder is refused with the reason, and nothing is written.
    draw()->sampleAdder()->setName("a/b");
    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY2(window_->statusBar()->currentMessage().contains("slash"),
             qPrintable(window_->statusBar()->currentMessage()));
    draw()->clear();
    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY2(window_->statusBar()->currentMessage().contains("empty"),
             qPrintable(window_->statusBar()->currentMessage()));
  }

  void aDrawingReadAsANumberIsNotAddedAsASample() {
    window_->tabs()->setCurrentWidget(draw());
    draw()->clear();
    auto* add = draw()->findChild<QPushButton*>("addSample");
    auto* names = draw()->findChild<QComboBox*>("sampleName");
    auto* correct = draw()->findChild<QWidget*>("correctIt");
    const int sevens = filesIn(samples() + "/7").size();
    draw()->sampleAdder()->setName(QString());
    digitlab::apptest::drawDigit(draw()->canvas(), 7);
    draw()->predict();
    QCOMPARE(draw()->sampleAdder()->name(), QString("7"));  // the answer, proposed
    QVERIFY(add->isEnabled() && correct->isEnabled());
    // Reading numbers: the name "7" stays in the field, but the row is off and says why.
    numberBox(draw())->setChecked(true);
    QVERIFY(!add->isEnabled() && !names->isEnabled() && !correct->isEnabled());
    QVERIFY2(add->toolTip().contains("one digit or symbol"), qPrintable(add->toolTip()));
    QVERIFY(!draw()->sampleAdder()->addAsNamed());  // as Enter in the field would
    QVERIFY2(window_->statusBar()->currentMessage().startsWith("Not added to my samples"),
             qPrintable(window_->statusBar()->currentMessage()));
    QCOMPARE(filesIn(samples() + "/7").size(), sevens);
    // One digit again: the row is back.
    numberBox(draw())->setChecked(false);
    QVERIFY(add->isEnabled() && names->isEnabled() && correct->isEnabled());
    draw()->clear();
  }

  void correctItFilesTheDrawingUnderTheRightName() {
    draw()->clear();
    auto* correct = draw()->findChild<QWidget*>("correctIt");
    QVERIFY(correct != nullptr && !correct->isEnabled());  // nothing to correct yet
    digitlab::apptest::drawDigit(draw()->canvas(), 7);
    draw()->predict();
    QVERIFY(correct->isEnabled());
    // The user meant a 1: pick it from the menu of the model's classes.
    QAction* one = nullptr;
    for (QAction* action : draw()->sampleAdder()->correctionMenu()->actions())
      if (action->data().toString() == "1") one = action;
    QVERIFY(one != nullptr);
    QCOMPARE(draw()->sampleAdder()->correctionMenu()->actions().size(), 10);
    one->trigger();
    QCOMPARE(window_->statusBar()->currentMessage(), QString("Added to my samples: 1 (1 sample)"));
    QCOMPARE(filesIn(samples() + "/1").size(), 1);
    draw()->clear();
    QVERIFY(!correct->isEnabled());
  }

  void trainTabCountsMySamplesAndWarnsAboutFew() {
    auto* train = window_->trainTab();
    window_->tabs()->setCurrentWidget(train);
    auto* combo = train->findChild<QComboBox*>("dataset");
    QVERIFY(combo != nullptr);
    QCOMPARE(combo->currentText(), QString("MNIST (handwritten digits)"));
    QVERIFY(!train->config().dataset.has_value());  // MNIST, as before
    combo->setCurrentIndex(combo->findData(static_cast<int>(digitlab::app::DatasetChooser::Choice::kMySamples)));
    auto* summary = train->findChild<QLabel*>("samplesSummary");
    QVERIFY(summary != nullptr && summary->isVisible());
    QVERIFY2(summary->text().contains("1 1") && summary->text().contains("seven 2"), qPrintable(summary->text()));
    QVERIFY2(summary->text().contains("Too few samples of 1, seven"), qPrintable(summary->text()));
    // The choice brings its recipe and trains on the folder from the bundled model's features.
    const digitlab::TrainConfig c = train->config();
    QVERIFY(c.dataset.has_value());
    QCOMPARE(QString::fromStdString(c.dataset->dir().string()), samples());
    QVERIFY2(QString::fromStdString(c.init_from.string()).endsWith("models/digitnet.pt"), c.init_from.c_str());
    QCOMPARE(c.epochs, 20);
    QCOMPARE(c.batch_size, 16);
    QCOMPARE(c.patience, c.epochs);
    combo->setCurrentIndex(combo->findData(static_cast<int>(digitlab::app::DatasetChooser::Choice::kMnist)));
    QVERIFY(!summary->isVisible());
    QCOMPARE(train->config().epochs, 30);
  }

  void trainTabRecipeFillsTheSettings() {
    auto* train = window_->trainTab();
    window_->tabs()->setCurrentWidget(train);
    auto* recipe = train->findChild<QComboBox*>("recipe");
    auto* dataset = train->findChild<QComboBox*>("dataset");
    auto* epochs = fieldLabelled<QSpinBox>(train, "Epochs:");
    auto* batch = fieldLabelled<QSpinBox>(train, "Batch size:");
    auto* rate = fieldLabelled<QDoubleSpinBox>(train, "Learning rate:");
    QVERIFY(recipe != nullptr && dataset != nullptr && epochs != nullptr && batch != nullptr && rate != nullptr);
    QVERIFY(recipe->isVisible());
    QCOMPARE(recipe->currentData().toString(), QString("default"));
    QCOMPARE(QString::fromStdString(train->config().recipe), QString("default"));

    // Quick: its epochs, batch and peak rate in the fields, its schedule and smoothing in the run's settings.
    recipe->setCurrentIndex(recipe->findData("quick"));
    QCOMPARE(epochs->value(), 3);
    QCOMPARE(batch->value(), 256);
    QCOMPARE(rate->value(), 0.004);
    QVERIFY(recipe->toolTip().contains("one-cycle"));
    digitlab::TrainConfig c = train->config();
    QVERIFY(c.schedule == digitlab::LrSchedule::kOneCycle);
    QCOMPARE(c.label_smoothing, 0.1);
    QCOMPARE(QString::fromStdString(c.recipe), QString("quick"));
    QVERIFY(c.cpu_bf16);
    QCOMPARE(c.patience, 3);
    // The fields stay the user's to change; a one-cycle run never stops early, however long.
    epochs->setValue(5);
    c = train->config();
    QCOMPARE(c.epochs, 5);
    QCOMPARE(c.patience, 5);
    QVERIFY(c.schedule == digitlab::LrSchedule::kOneCycle);

    // My samples keep the sizes of their own recipe under Quick; MNIST again brings Quick's back.
    dataset->setCurrentIndex(dataset->findData(static_cast<int>(digitlab::app::DatasetChooser::Choice::kMySamples)));
    QCOMPARE(epochs->value(), 20);
    QCOMPARE(batch->value(), 16);
    QVERIFY(train->config().schedule == digitlab::LrSchedule::kOneCycle);
    dataset->setCurrentIndex(dataset->findData(static_cast<int>(digitlab::app::DatasetChooser::Choice::kMnist)));
    QCOMPARE(epochs->value(), 3);
    QCOMPARE(batch->value(), 256);

    // The choice comes back with the settings, the user's epochs, "Teach joined digits" and "Teach more writing
    // styles" with it.
    epochs->setValue(4);
    auto* joined = train->findChild<QCheckBox*>("joinedDigits");
    QVERIFY(joined);
    QCOMPARE(train->config().non_digits, 0.0);
    joined->setChecked(true);
    QCOMPARE(train->config().non_digits, digitlab::kNonDigitsShare);
    auto* styles = train->findChild<QCheckBox*>("writingStyles");
    QVERIFY(styles);
    QCOMPARE(train->config().writing_styles, 0.0);
    styles->setChecked(true);
    QCOMPARE(train->config().writing_styles, digitlab::kWritingStylesShare);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
      QSettings saved(dir.filePath("train.ini"), QSettings::IniFormat);
      train->saveSettings(saved);
      digitlab::app::TrainTab fresh;
      fresh.restoreSettings(saved);
      QCOMPARE(fresh.findChild<QComboBox*>("recipe")->currentData().toString(), QString("quick"));
      QCOMPARE(fresh.config().epochs, 4);
      QCOMPARE(fresh.config().non_digits, digitlab::kNonDigitsShare);
      QCOMPARE(fresh.config().writing_styles, digitlab::kWritingStylesShare);
      QCOMPARE(fresh.config().batch_size, 256);
      QVERIFY(fresh.config().schedule == digitlab::LrSchedule::kOneCycle);
    }

    // Default again: the shipped model's settings.
    recipe->setCurrentIndex(recipe->findData("default"));
    QCOMPARE(epochs->value(), 30);
    QCOMPARE(batch->value(), 128);
    QCOMPARE(rate->value(), 0.001);
    c = train->config();
    QVERIFY(c.schedule == digitlab::LrSchedule::kExponential);
    QCOMPARE(c.label_smoothing, 0.0);
    QCOMPARE(c.patience, digitlab::TrainConfig{}.patience);
    QCOMPARE(QString::fromStdString(c.recipe), QString("default"));
  }

  void textsFollowTheModelsClasses() {
    window_->tabs()->setCurrentWidget(draw());
    digitlab::app::UploadTab* upload = window_->uploadTab();
    const QString bundled = window_->modelPath();
    QVERIFY(!bundled.isEmpty());
    QCheckBox* drawNumber = numberBox(draw());
    QCheckBox* uploadNumber = numberBox(upload);
    QVERIFY(drawNumber != nullptr && uploadNumber != nullptr);
    draw()->setNumberMode(true);
    upload->setNumberMode(true);

    // A model of three shapes: every prompt says "symbol", and a number of shapes means nothing, so that mode is
    // off and says why.
    const QString shapes = tmp_.filePath("shapes.pt");
    writeUntrainedModel(shapes.toStdString(), {"circle", "square", "triangle"});
    QString error;
    QVERIFY2(window_->loadModel(shapes, &error), qPrintable(error));
    draw()->clear();
    QCOMPARE(draw()->canvas()->placeholderText(), QString("Draw a symbol here"));
    QCOMPARE(draw()->resultPanel()->message(), QString("Draw a symbol, then press Predict"));
    draw()->predict();
    QCOMPARE(draw()->resultPanel()->message(), QString("The canvas is empty: draw a symbol first"));
    QCOMPARE(draw()->resultPanel()->findChild<QLabel*>("answerLabel")->accessibleName(), QString("Predicted symbol"));
    QCOMPARE(upload->resultPanel()->message(), QString("Open, drop or paste an image of a handwritten symbol"));
    QVERIFY2(labelWith(upload, "drop a photo").contains("scan of a symbol"), qPrintable(labelWith(upload, "drop")));
    for (QCheckBox* box : {drawNumber, uploadNumber}) {
      QVERIFY(!box->isEnabled());
      QVERIFY(!box->isChecked());
      QVERIFY2(box->toolTip().contains("digit model"), qPrintable(box->toolTip()));
    }
    QVERIFY(!draw()->numberMode());
    // A drawing is read as one of the shapes.
    digitlab::apptest::drawDigit(draw()->canvas(), 7);
    draw()->predict();
    QVERIFY2(QStringList({"circle", "square", "triangle"}).contains(draw()->resultPanel()->answer()),
             qPrintable(draw()->resultPanel()->answer() + draw()->resultPanel()->message()));
    draw()->clear();

    // The digit model again: the texts are as they were, and number mode can be ticked.
    QVERIFY2(window_->loadModel(bundled, &error), qPrintable(error));
    QCOMPARE(draw()->canvas()->placeholderText(), QString("Draw a digit here"));
    QCOMPARE(draw()->resultPanel()->message(), QString("Draw a digit, then press Predict"));
    draw()->predict();
    QCOMPARE(draw()->resultPanel()->message(), QString("The canvas is empty: draw a digit first"));
    QCOMPARE(draw()->resultPanel()->findChild<QLabel*>("answerLabel")->accessibleName(), QString("Predicted digit"));
    QCOMPARE(upload->resultPanel()->message(), QString("Open, drop or paste an image of a handwritten digit"));
    QCOMPARE(labelWith(upload, "drop a photo"),
             QString("or drop a photo or scan of a digit anywhere on the window, or paste one with Ctrl+V"));
    QVERIFY(drawNumber->isEnabled() && uploadNumber->isEnabled());
    QCOMPARE(drawNumber->toolTip(), QString("Write the digits side by side, e.g. 2026"));
    QVERIFY(uploadNumber->toolTip().isEmpty());
    draw()->setNumberMode(true);
    QVERIFY(draw()->numberMode());
    draw()->setNumberMode(false);
  }
};

QTEST_MAIN(ClassesTest)
#include "test_classes.moc"
