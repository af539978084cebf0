// The app as a user sees it on a laptop screen, on Qt's offscreen platform: the window fits 1280x720 with a
// taskbar, nothing is cut off, the confusion matrix shows all its rows, the canvas never loses ink, error messages
// say the file once in plain words, and the smaller things (round chart ticks, the stroke width's value, Tab
// order, the canvas's focus, a larger answer in a larger window).
#include "canvas_widget.h"
#include "confusion_matrix_view.h"
#include "draw_tab.h"
#include "error_banner.h"
#include "explain_panel.h"
#include "image_view.h"
#include "main_window.h"
#include "number_hint.h"
#include "result_panel.h"
#include "stroke_writer.h"
#include "train_tab.h"
#include "training_charts.h"
#include "upload_tab.h"

#include <digitlab/confusion_matrix.h>

#include <QAbstractButton>
#include <QAbstractScrollArea>
#include <QChartView>
#include <QCoreApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

#include <cmath>
#include <memory>

using digitlab::app::MainWindow;
using digitlab::apptest::drawDigit;

namespace {

const QString kRealWorldDir = QStringLiteral(DIGITLAB_REALWORLD_DIR);
const QString kRealWorldNumbersDir = QStringLiteral(DIGITLAB_REALWORLD_DIR "/../realworld-numbers");

/// True when `w` lies inside a scroll area's viewport (it may be scrolled out of sight on purpose).
bool insideScrollArea(const QWidget* w, const QWidget* root) {
  for (const QWidget* p = w->parentWidget(); p != nullptr && p != root; p = p->parentWidget()) {
    if (qobject_cast<const QAbstractScrollArea*>(p->parentWidget()) != nullptr &&
        qobject_cast<const QAbstractScrollArea*>(p->parentWidget())->viewport() == p)
      return true;
  }
  return false;
}

/// The visible labels and buttons of `root` that are cut off: outside the window, or smaller than their text.
QStringList cutOff(QWidget* root) {
  QStringList found;
  const QRect window = root->window()->rect();
  for (QWidget* w : root->findChildren<QWidget*>()) {
    if (!w->isVisible() || insideScrollArea(w, root)) continue;
    auto* label = qobject_cast<QLabel*>(w);
    auto* button = qobject_cast<QAbstractButton*>(w);
    if (label == nullptr && button == nullptr) continue;
    const QRect where(w->mapTo(w->window(), QPoint(0, 0)), w->size());
    const QString name = QString("%1 \"%2\" %3x%4 at %5,%6")
                             .arg(w->metaObject()->className(), label ? label->text().left(40) : button->text())
                             .arg(w->width())
                             .arg(w->height())
                             .arg(where.x())
                             .arg(where.y());
    if (!window.contains(where)) {
      found << name + " (outside the window)";
    } else if (label != nullptr && label->wordWrap() && label->height() < label->heightForWidth(label->width())) {
      found << name + QString(" (needs %1 px of height)").arg(label->heightForWidth(label->width()));
    } else if (label != nullptr && !label->wordWrap() &&
               label->sizePolicy().horizontalPolicy() != QSizePolicy::Ignored &&
               label->width() < label->minimumSizeHint().width()) {
      found << name + QString(" (needs %1 px of width)").arg(label->minimumSizeHint().width());
    } else if (button != nullptr && (button->width() < button->minimumSizeHint().width() ||
                                     button->height() < button->minimumSizeHint().height())) {
      found << name + " (smaller than its text)";
    }
  }
  return found;
}

/// Clicks `label` at points of a fine grid until `done` says the click did what a link does; false if none did.
template <typename Done>
bool clickLink(QLabel* label, Done done) {
  for (int y = 2; y < label->height(); y += 4)
    for (int x = 2; x < label->width(); x += 5) {
      QTest::mouseClick(label, Qt::LeftButton, Qt::NoModifier, QPoint(x, y));
      if (done()) return true;
    }
  return false;
}

/// Ink pixels (brighter than mid-grey) of a canvas image, and their bounding box.
struct Ink {
  int pixels = 0;
  QRect box;
};

Ink inkOf(const QImage& image) {
  Ink ink;
  for (int y = 0; y < image.height(); ++y) {
    const uchar* row = image.constScanLine(y);
    for (int x = 0; x < image.width(); ++x) {
      if (row[x] < 128) continue;
      ++ink.pixels;
      ink.box |= QRect(x, y, 1, 1);
    }
  }
  return ink;
}

/// The tick values of a value axis with evenly spaced ticks.
QList<double> ticks(const QValueAxis* axis) {
  QList<double> out;
  const int n = axis->tickCount();
  for (int i = 0; i < n; ++i) out << axis->min() + i * (axis->max() - axis->min()) / (n - 1);
  return out;
}

/// Whether the ticks are round: a step of 1, 2 or 5 times a power of ten, every tick a whole number of steps.
bool roundTicks(const QValueAxis* axis, QString* why) {
  const QList<double> t = ticks(axis);
  if (t.size() < 2) return true;
  const double step = t[1] - t[0];
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  const bool roundStep =
      std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6;
  bool onSteps = true;
  for (double v : t) onSteps = onSteps && std::abs(v / step - std::round(v / step)) < 1e-6;
  QStringList values;
  for (double v : t) values << QString::number(v, 'g', 6);
  *why = values.join(", ");
  return roundStep && onSteps;
}

}  // namespace

class LayoutTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;
  QTemporaryDir tmp_;

  digitlab::app::DrawTab* draw() { return window_->drawTab(); }
  digitlab::app::TrainTab* train() { return window_->trainTab(); }
  digitlab::app::UploadTab* upload() { return window_->uploadTab(); }

  void resizeTo(int width, int height) {
    window_->resize(width, height);
    QCoreApplication::processEvents();
    QTest::qWait(20);
  }

  /// Fills the confusion matrix and the summary as a stopped run leaves them (the longest summary there is).
  void showStoppedRun() {
    digitlab::ConfusionMatrix m;
    for (int l = 0; l < 10; ++l)
      for (int p = 0; p < 10; ++p)
        for (int n = 0; n < (l == p ? 50 : l % 3); ++n) m.add(l, p);
    train()->findChild<digitlab::app::ConfusionMatrixView*>()->setMatrix(m);
    QLabel* summary = nullptr;  // the label that says "Results appear here when a run ends."
    for (QLabel* label : train()->findChildren<QLabel*>())
      if (label->text().startsWith("Results appear") || label->text().startsWith("Stopped after")) summary = label;
    QVERIFY(summary != nullptr);
    summary->setText(
        "Stopped after 3 epoch(s). The best model so far (epoch 2, validation accuracy 98.10%) is saved as "
        "/home/someone/.local/share/DigitLab/runs/run-20260101-120000/digitnet.pt and "
        "/home/someone/.local/share/DigitLab/runs/run-20260101-120000/digitnet.onnx; it was not measured on the "
        "test set.");
  }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setApplicationName("DigitLab");  // as main() names it: the default folders use it
    QCoreApplication::setOrganizationName("DigitLab");
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(tmp_.isValid());
    window_ = std::make_unique<MainWindow>();
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!window_->modelLoading(), 30000);
  }

  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void windowFitsALaptopScreenEvenWithErrorsShown() {
    // An error banner in each tab that has one, as tall as they get.
    const QString bad = tmp_.filePath("bad.png");
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is text, not a picture\n");
    file.close();
    QVERIFY(!window_->openImageFile(bad));
    qputenv("DIGITLAB_MNIST_MIRRORS", "file:///nonexistent-mirror/");
    digitlab::TrainConfig c = train()->config();
    c.data_dir = tmp_.filePath("no-mnist").toStdString();
    train()->setConfig(c);
    train()->downloadData();
    QTRY_VERIFY_WITH_TIMEOUT(!train()->busy(), 30000);
    qunsetenv("DIGITLAB_MNIST_MIRRORS");
    QVERIFY(!train()->error().isEmpty());

    QVERIFY2(window_->minimumSizeHint().height() <= 700,
             qPrintable(QString("minimum height %1").arg(window_->minimumSizeHint().height())));
    resizeTo(1280, 700);
    QCOMPARE(window_->height(), 700);
    for (int tab = 0; tab < window_->tabs()->count(); ++tab) {
      window_->tabs()->setCurrentIndex(tab);
      QTest::qWait(20);
      const QStringList cut = cutOff(window_->tabs()->currentWidget());
      QVERIFY2(cut.isEmpty(), qPrintable(window_->tabs()->tabText(tab) + ": " + cut.join("; ")));
    }
    QVERIFY(window_->openImageFile(kRealWorldDir + "/images/7era_7.png"));  // clears the Upload tab's banner
  }

  void uploadNumberModeFitsALaptopScreenWithMapsOnOrOff_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("digits");
    QTest::newRow("5 digits") << "mrsadeghi_09876.PNG" << 5;
    QTest::newRow("8 digits") << "muztagh_IMG_1703.jpg" << 8;
  }

  void uploadNumberModeFitsALaptopScreenWithMapsOnOrOff() {
    QFETCH(QString, file);
    QFETCH(int, digits);
    window_->tabs()->setCurrentWidget(upload());
    resizeTo(1280, 700);
    auto* explain = upload()->explainPanel();
    explain->setOn(false);
    upload()->setNumberMode(true);
    QVERIFY(window_->openImageFile(kRealWorldNumbersDir + "/images/" + file));
    QCOMPARE(upload()->resultPanel()->answer().size(), digits);
    const QImage plain = upload()->stage(4)->image();
    for (const bool maps : {false, true}) {
      explain->setOn(maps);
      if (maps) QTRY_VERIFY_WITH_TIMEOUT(explain->mapsShown() > 0 && !explain->working(), 30000);
      QTest::qWait(50);
      const QString state = maps ? "maps on" : "maps off";
      QVERIFY2(window_->minimumSizeHint().height() <= 700,
               qPrintable(state + QString(": minimum height %1").arg(window_->minimumSizeHint().height())));
      QVERIFY2(window_->height() <= 700, qPrintable(state + QString(": window %1 px high").arg(window_->height())));
      const QStringList cut = cutOff(upload());
      QVERIFY2(cut.isEmpty(), qPrintable(state + ": " + cut.join("; ")));
      // All of it in view at once: the tab scrolls only in a window smaller than a laptop screen.
      auto* scroll = upload()->findChild<QScrollArea*>("uploadScroll");
      QVERIFY(scroll != nullptr);
      QVERIFY2(scroll->verticalScrollBar()->maximum() == 0 && scroll->horizontalScrollBar()->maximum() == 0,
               qPrintable(state + QString(": the tab scrolls by %1 px").arg(scroll->verticalScrollBar()->maximum())));
    }
    // The strip of 28x28 inputs wears every digit's map, as one digit's input does: each digit's square has colour.
    const QImage strip = upload()->stage(4)->image().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(strip.size(), plain.size());
    const int side = strip.height();
    const int pitch = (strip.width() - side) / std::max(1, digits - 1);
    QStringList counts;
    int bare = 0;
    for (int d = 0; d < digits; ++d) {
      int coloured = 0;
      for (int y = 0; y < side; ++y)
        for (int x = d * pitch; x < d * pitch + side; ++x) {
          const QRgb p = strip.pixel(x, y);
          coloured += std::max({qRed(p), qGreen(p), qBlue(p)}) - std::min({qRed(p), qGreen(p), qBlue(p)}) > 30;
        }
      counts << QString::number(coloured);
      bare += coloured == 0;
    }
    QVERIFY2(bare == 0, qPrintable("coloured pixels per digit: " + counts.join(", ")));
    explain->setOn(false);
    QCOMPARE(upload()->stage(4)->image(), plain);  // maps off: the plain inputs again
    upload()->setNumberMode(false);
    QVERIFY(window_->openImageFile(kRealWorldDir + "/images/7era_7.png"));
  }

  void confusionMatrixShowsEveryRowUnderItsAxisTitles_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("default") << QSize(0, 0);
    QTest::newRow("1180x760") << QSize(1180, 760);
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1280x700") << QSize(1280, 700);
  }

  void confusionMatrixShowsEveryRowUnderItsAxisTitles() {
    QFETCH(QSize, size);
    if (size.isEmpty()) {
      // A first start: no saved geometry.
      QSettings().remove("window/geometry");
      MainWindow fresh;
      fresh.show();
      QVERIFY(QTest::qWaitForWindowExposed(&fresh));
      size = fresh.size();
      QVERIFY2(size.height() <= 700, qPrintable(QString("default height %1").arg(size.height())));
    }
    window_->tabs()->setCurrentWidget(train());
    resizeTo(size.width(), size.height());
    showStoppedRun();
    QTest::qWait(20);
    auto* matrix = train()->findChild<digitlab::app::ConfusionMatrixView*>();
    // Scrolled into view if the column scrolls, every row lies inside the table's viewport.
    if (auto* scroll = qobject_cast<QScrollArea*>(train()->findChild<QScrollArea*>("trainControls")))
      scroll->ensureWidgetVisible(matrix, 0, 0);
    QTest::qWait(20);
    for (int row = 0; row < matrix->rowCount(); ++row) {
      const QRect cell = matrix->visualRect(matrix->model()->index(row, 0));
      QVERIFY2(matrix->viewport()->rect().contains(cell), qPrintable(QString("row %1 at y=%2..%3, viewport height %4")
                                                                         .arg(row)
                                                                         .arg(cell.top())
                                                                         .arg(cell.bottom())
                                                                         .arg(matrix->viewport()->height())));
    }
    // Nothing sits on the table, and it is all in view.
    const QRect table(matrix->mapTo(window_.get(), QPoint(0, 0)), matrix->size());
    for (QPushButton* button : train()->findChildren<QPushButton*>()) {
      const QRect b(button->mapTo(window_.get(), QPoint(0, 0)), button->size());
      QVERIFY2(!button->isVisible() || !b.intersects(table), qPrintable(button->text()));
    }
    QVERIFY2(matrix->visibleRegion().boundingRect() == matrix->rect(),
             qPrintable(QString("only %1 px of %2 in view")
                            .arg(matrix->visibleRegion().boundingRect().height())
                            .arg(matrix->height())));
    // Axis titles: predictions across the top, true digits down the left.
    auto* predicted = train()->findChild<QWidget*>("predictedAxis");
    auto* truth = train()->findChild<QWidget*>("trueAxis");
    QVERIFY(predicted != nullptr && truth != nullptr);
    QVERIFY(predicted->isVisible() && truth->isVisible());
    QCOMPARE(predicted->accessibleName(), QString("predicted digit"));
    QCOMPARE(truth->accessibleName(), QString("true digit"));
    QVERIFY(predicted->mapTo(window_.get(), QPoint(0, predicted->height())).y() <= table.top());
    QVERIFY(truth->mapTo(window_.get(), QPoint(truth->width(), 0)).x() <= table.left());
  }

  void predictNeverTakesInkFromTheCanvas() {
    window_->tabs()->setCurrentWidget(draw());
    resizeTo(1280, 700);
    draw()->setNumberMode(true);
    draw()->setLiveMode(false);
    draw()->clear();
    auto* canvas = draw()->canvas();
    const int digits[] = {2, 0, 2, 6, 7, 1, 7, 0};
    for (int i = 0; i < 8; ++i) drawDigit(canvas, digits[i], QRectF(0.02 + i * 0.12, 0.3, 0.08, 0.4));
    const Ink before = inkOf(canvas->image());
    QVERIFY(before.box.right() < canvas->width() - 1);  // drawn whole, near the right edge
    const int width = canvas->width();
    draw()->predict();
    QVERIFY(!draw()->resultPanel()->answer().isEmpty());
    QTest::qWait(50);
    QCOMPARE(canvas->width(), width);
    const Ink after = inkOf(canvas->image());
    QVERIFY2(after.pixels >= before.pixels * 0.97,
             qPrintable(QString("%1 of %2").arg(after.pixels).arg(before.pixels)));
    // A narrower canvas (the window made smaller) shows all the ink, smaller, and the model still reads it.
    resizeTo(900, 700);
    QVERIFY(canvas->width() < width);
    const Ink narrow = inkOf(canvas->image());
    QVERIFY2(narrow.box.right() < canvas->width() - 1 && narrow.box.left() > 0,
             qPrintable(QString("ink from x=%1 to %2 in a %3 px canvas")
                            .arg(narrow.box.left())
                            .arg(narrow.box.right())
                            .arg(canvas->width())));
    draw()->predict();
    QVERIFY(!draw()->resultPanel()->answer().isEmpty());
    draw()->setNumberMode(false);
    draw()->clear();
    resizeTo(1280, 700);
  }

  void errorsSayTheFileOnceWithDetailsOnDemand() {
    // A PNG cut off half way.
    QFile good(kRealWorldDir + "/images/7era_7.png");
    QVERIFY(good.open(QIODevice::ReadOnly));
    const QByteArray bytes = good.readAll();
    const QString bad = tmp_.filePath("broken.png");
    QFile cut(bad);
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write(bytes.left(bytes.size() / 2));
    cut.close();
    QVERIFY(!window_->openImageFile(bad));
    const QString message = upload()->error();
    QCOMPARE(message.count("broken.png"), 1);
    QVERIFY2(!message.contains(tmp_.path()), qPrintable(message));
    for (const char* jargon : {"outofdata", "PNG data", "stb", "truncated"})
      QVERIFY2(!message.contains(jargon), qPrintable(message));
    // The technical text waits behind Details.
    auto* banner = upload()->findChild<digitlab::app::ErrorBanner*>();
    QVERIFY(banner != nullptr);
    QVERIFY(!banner->detailsShown());
    QTest::mouseClick(banner->detailsButton(), Qt::LeftButton);
    QVERIFY(banner->detailsShown());
    QVERIFY2(banner->details().contains(bad), qPrintable(banner->details()));

    // A model file that is not a model.
    QString error;
    QVERIFY(!window_->loadModel(bad, &error));
    QCOMPARE(error.count("broken.png"), 1);
    QVERIFY2(!error.contains("PytorchStreamReader") && !error.contains(tmp_.path()), qPrintable(error));
    QVERIFY(window_->openImageFile(kRealWorldDir + "/images/7era_7.png"));
  }

  void mnistFolderStatusIsNotClipped() {
    window_->tabs()->setCurrentWidget(train());
    resizeTo(1280, 700);
    digitlab::TrainConfig c = train()->config();
    c.data_dir = tmp_.filePath("empty-data").toStdString();
    train()->setConfig(c);
    QTest::qWait(20);
    auto* status = train()->findChild<QLabel*>("dataStatus");
    QVERIFY(status == nullptr || status->isVisible());
    for (QLabel* label : train()->findChildren<QLabel*>()) {
      if (!label->text().contains("MNIST is not")) continue;
      QVERIFY2(
          label->height() >= label->heightForWidth(label->width()),
          qPrintable(QString("%1 px high, needs %2").arg(label->height()).arg(label->heightForWidth(label->width()))));
      QVERIFY(label->visibleRegion().boundingRect() == label->rect());
    }
  }

  void chartTicksAreRound() {
    digitlab::app::TrainingCharts charts;
    charts.reset(30);
    digitlab::EpochStats e;
    e.epochs = 30;
    const double accuracies[] = {0.09, 0.62, 0.91};
    const double rates[] = {1e-3, 8.2e-4, 5e-4};
    for (int i = 0; i < 3; ++i) {
      e.epoch = i + 1;
      e.val_loss = 2.3 / (i + 1);
      e.val_accuracy = accuracies[i];
      e.lr = rates[i];
      charts.addEpoch(e);
      charts.addBatch(i + 0.5, 2.2 / (i + 1));
    }
    QList<QChartView*> views = charts.findChildren<QChartView*>();
    views << draw()->resultPanel()->findChildren<QChartView*>();
    QVERIFY(views.size() == 4);
    for (QChartView* view : views) {
      for (QAbstractAxis* a : view->chart()->axes()) {
        auto* axis = qobject_cast<QValueAxis*>(a);
        if (axis == nullptr) continue;
        QString why;
        QVERIFY2(roundTicks(axis, &why), qPrintable(view->chart()->title() + ": " + why));
      }
    }
  }

  void defaultSaveFolderNamesDigitLabOnce() {
    digitlab::app::TrainTab tab;
    QString folder;
    for (QLineEdit* edit : tab.findChildren<QLineEdit*>())
      if (edit->text().endsWith("/runs")) folder = edit->text();
    QVERIFY2(folder.endsWith("/DigitLab/runs"), qPrintable(folder));
    QVERIFY2(!folder.contains("DigitLab/DigitLab"), qPrintable(folder));
  }

  void strokeWidthShowsItsValue() {
    QSlider* slider = nullptr;
    for (QSlider* s : draw()->findChildren<QSlider*>())
      if (s->accessibleName() == "Stroke width") slider = s;
    QVERIFY(slider != nullptr);
    slider->setValue(30);
    bool shown = false;
    for (QLabel* label : draw()->findChildren<QLabel*>()) shown = shown || label->text() == "30 px";
    QVERIFY(shown);
    slider->setValue(22);
  }

  void browseButtonsFollowTheirFieldsInTabOrder() {
    int rows = 0;
    for (QLineEdit* edit : train()->findChildren<QLineEdit*>()) {
      if (qobject_cast<QAbstractSpinBox*>(edit->parentWidget()) != nullptr) continue;  // a spin box's own edit
      QWidget* next = edit->nextInFocusChain();
      while (next != edit && !(next->focusPolicy() & Qt::TabFocus)) next = next->nextInFocusChain();
      auto* button = qobject_cast<QPushButton*>(next);
      QVERIFY2(
          button != nullptr && button->text().startsWith("Browse") && button->parentWidget() == edit->parentWidget(),
          qPrintable(QString("after %1 comes %2").arg(edit->text(), next->metaObject()->className())));
      ++rows;
    }
    QCOMPARE(rows, 2);
  }

  void canvasShowsWhenItHasFocus() {
    window_->tabs()->setCurrentWidget(draw());
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    auto* canvas = draw()->canvas();
    draw()->findChild<QSlider*>()->setFocus();
    QTRY_VERIFY(!canvas->hasFocus());
    const QImage without = canvas->grab().toImage();
    canvas->setFocus();
    QTRY_VERIFY(canvas->hasFocus());
    const QImage with = canvas->grab().toImage();
    const QPoint edge(0, canvas->height() / 2);
    QCOMPARE(qGray(without.pixel(edge)), 0);
    QVERIFY2(qGray(with.pixel(edge)) > 60, qPrintable(QString::number(qGray(with.pixel(edge)))));
  }

  // A number read in single-digit mode: once the number is read on the worker, the hint says how many digits and its
  // link ticks "Read a number"; a single digit, large, gets no hint.
  void uploadHintsAtNumberModeForAPhotoOfANumber() {
    window_->tabs()->setCurrentWidget(upload());
    resizeTo(1366, 768);
    upload()->explainPanel()->setOn(false);
    upload()->setNumberMode(false);
    auto* hint = upload()->numberHint();
    QVERIFY(window_->openImageFile(kRealWorldNumbersDir + "/images/huangzy_5.png"));  // 796543
    QCOMPARE(upload()->resultPanel()->answer().size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!hint->busy(), 30000);
    QVERIFY(hint->isVisible());
    QCOMPARE(hint->digitCount(), 6);
    QVERIFY2(hint->text().contains("number of 6 digits") && hint->text().contains("Read a number"),
             qPrintable(hint->text()));
    QVERIFY(window_->minimumSizeHint().height() <= 700);
    const QStringList cut = cutOff(upload());
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join("; ")));
    // A click on its link ticks number mode: the number is read, the hint goes.
    QVERIFY(clickLink(hint, [&] { return hint->isHidden(); }));
    QCOMPARE(upload()->resultPanel()->answer(), QString("796543"));
    QVERIFY(!hint->isVisible());
    QCOMPARE(hint->digitCount(), 0);
    // Another image hides it; a single digit, however large, brings none.
    upload()->setNumberMode(false);
    QTRY_VERIFY_WITH_TIMEOUT(!hint->busy() && hint->isVisible(), 30000);
    QVERIFY(window_->openImageFile(kRealWorldDir + "/images/leather_6.png"));
    QVERIFY(!hint->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!hint->busy(), 30000);
    QTest::qWait(50);
    QVERIFY2(!hint->isVisible(), qPrintable(hint->text()));
    QCOMPARE(upload()->resultPanel()->answer(), QString("6"));
  }

  void drawHintsAtNumberModeForDigitsSideBySide() {
    window_->tabs()->setCurrentWidget(draw());
    resizeTo(1366, 768);
    draw()->setNumberMode(false);
    draw()->setLiveMode(false);
    draw()->clear();
    auto* hint = draw()->numberHint();
    auto* canvas = draw()->canvas();
    drawDigit(canvas, 2, QRectF(0.1, 0.2, 0.3, 0.6));
    drawDigit(canvas, 7, QRectF(0.6, 0.2, 0.3, 0.6));
    draw()->predict();
    QCOMPARE(draw()->resultPanel()->answer().size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!hint->busy(), 30000);
    QVERIFY(hint->isVisible());
    QCOMPARE(hint->digitCount(), 2);
    QVERIFY2(hint->text().contains("number of 2 digits"), qPrintable(hint->text()));
    QVERIFY(window_->minimumSizeHint().height() <= 700);
    const QStringList cut = cutOff(draw());
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join("; ")));
    QVERIFY(clickLink(hint, [&] { return hint->isHidden(); }));
    QVERIFY(draw()->numberMode());
    QCOMPARE(draw()->resultPanel()->answer(), QString("27"));
    QVERIFY(!hint->isVisible());
    // Back in single-digit mode the hint comes back; clearing the canvas hides it.
    draw()->setNumberMode(false);
    draw()->predict();
    QTRY_VERIFY_WITH_TIMEOUT(!hint->busy() && hint->isVisible(), 30000);
    draw()->clear();
    QVERIFY(!hint->isVisible());
    // One digit, large: no hint.
    drawDigit(canvas, 2);
    draw()->predict();
    QTRY_VERIFY_WITH_TIMEOUT(!hint->busy(), 30000);
    QTest::qWait(50);
    QVERIFY2(!hint->isVisible(), qPrintable(hint->text()));
    QCOMPARE(draw()->resultPanel()->answer(), QString("2"));
    draw()->clear();
  }

  void answerAndInputGrowWithTheWindow() {
    window_->tabs()->setCurrentWidget(draw());
    draw()->clear();
    drawDigit(draw()->canvas(), 7);
    draw()->predict();
    auto* answer = draw()->resultPanel()->findChild<QLabel*>("answerLabel");
    auto* input = draw()->resultPanel()->findChild<digitlab::app::ImageView*>();
    QVERIFY(answer != nullptr && input != nullptr);
    resizeTo(1280, 700);
    const int smallFont = QFontInfo(answer->font()).pixelSize();
    const int smallInput = std::min(input->width(), input->height());
    resizeTo(1900, 1150);
    const int largeFont = QFontInfo(answer->font()).pixelSize();
    const int largeInput = std::min(input->width(), input->height());
    QVERIFY2(largeFont >= smallFont * 1.3, qPrintable(QString("%1 -> %2 px").arg(smallFont).arg(largeFont)));
    QVERIFY2(largeInput >= smallInput * 1.3, qPrintable(QString("%1 -> %2 px").arg(smallInput).arg(largeInput)));
    QVERIFY(answer->height() >= QFontMetrics(answer->font()).height());  // the larger digit is not cut off
    resizeTo(1280, 700);
    QVERIFY(QFontInfo(answer->font()).pixelSize() <= smallFont + 1);  // and shrinks back
    draw()->clear();
  }
};

QTEST_MAIN(LayoutTest)
#include "test_layout.moc"
