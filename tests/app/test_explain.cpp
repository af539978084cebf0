// "Show where it looked" as a user sees it, on Qt's offscreen platform: the map lies on the ink of a drawing,
// clicking a bar explains that class, an unsure answer shows the top two maps side by side, a number gets a map
// per digit on the original, the gradient methods run on DigitLab's own model, and drawing with maps on never
// stalls the event loop. Quick: no training.
#include "canvas_widget.h"
#include "draw_tab.h"
#include "explain_panel.h"
#include "heat_overlay.h"
#include "image_view.h"
#include "main_window.h"
#include "probability_chart.h"
#include "result_panel.h"
#include "stall_meter.h"
#include "stroke_writer.h"
#include "upload_tab.h"

#include <QChart>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

using digitlab::app::ExplainPanel;
using digitlab::app::MainWindow;
using digitlab::apptest::drawDigit;

namespace {

using digitlab::app::testing::StallMeter;

/// The share of `heat`'s mass (its alpha, scaled to `ink`'s size) that lies in `box`.
double heatShareIn(const QImage& heat, const QSize& size, const QRect& box) {
  const QImage h = heat.scaled(size);
  double all = 0, inside = 0;
  for (int y = 0; y < h.height(); ++y) {
    for (int x = 0; x < h.width(); ++x) {
      const double a = qAlpha(h.pixel(x, y));
      all += a;
      if (box.contains(x, y)) inside += a;
    }
  }
  return all > 0 ? inside / all : 0;
}

/// The bounding box of the ink (light pixels) of the canvas's image, grown by `margin` pixels.
QRect inkBox(const QImage& canvas, int margin) {
  QRect box;
  for (int y = 0; y < canvas.height(); ++y)
    for (int x = 0; x < canvas.width(); ++x)
      if (qGray(canvas.pixel(x, y)) > 127) box |= QRect(x, y, 1, 1);
  return box.adjusted(-margin, -margin, margin, margin);
}

/// Clicks the chart's column of bar `bar`, half way up.
void clickBar(digitlab::app::ProbabilityChart* view, int bar) {
  QChart* chart = view->chart();
  const QPointF inChart = chart->mapToPosition(QPointF(bar, 50), chart->series().front());
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(chart->mapToScene(inChart)));
}

/// `a` and `b` (same size, grey) blended: weight `w` of `a`.
QImage blend(const QImage& a, const QImage& b, double w) {
  QImage out(a.size(), QImage::Format_Grayscale8);
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x) {
      const int v = qRound(w * qGray(a.pixel(x, y)) + (1 - w) * qGray(b.pixel(x, y)));
      out.setPixel(x, y, qRgb(v, v, v));
    }
  return out;
}

}  // namespace

class ExplainTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;

  digitlab::app::DrawTab* draw() { return window_->drawTab(); }
  ExplainPanel* drawMaps() { return draw()->explainPanel(); }
  /// Draws `digit`, reads it, and waits for its map.
  void drawAndExplain(int digit) {
    window_->tabs()->setCurrentWidget(draw());
    draw()->setLiveMode(false);
    draw()->setNumberMode(false);
    draw()->clear();
    drawDigit(draw()->canvas(), digit);
    draw()->predict();
    QCOMPARE(draw()->resultPanel()->answer(), QString::number(digit));
    drawMaps()->findChild<QCheckBox*>("explainToggle")->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->shownTarget() == digit && !drawMaps()->working(), 20000);
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    window_ = std::make_unique<MainWindow>();
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!window_->modelLoading(), 30000);
  }

  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void toggleLaysTheMapOnTheInk() {
    drawAndExplain(7);
    QCOMPARE(drawMaps()->methodUsed(), QString("Occlusion"));  // the default
    // On the drawing: the overlay is shown, and most of its heat lies on the digit.
    const auto* overlay = draw()->heatOverlay();
    QVERIFY(overlay->isVisible());
    QVERIFY(!overlay->heat().isNull());
    const QImage canvas = draw()->canvas()->image();
    const double share = heatShareIn(overlay->heat(), canvas.size(), inkBox(canvas, canvas.width() / 20));
    qInfo("share of the heat on the digit's box: %.2f", share);
    QVERIFY2(share > 0.8, qPrintable(QString("only %1 of the heat is on the digit").arg(share)));
    // On the 28x28 input: it is coloured now.
    QVERIFY(!draw()->resultPanel()->inputView()->image().isGrayscale());
    QCOMPARE(drawMaps()->mapsShown(), 1);
    QCOMPARE(drawMaps()->mapCaptions().front(), QString("Why 7"));
    // Off again: the drawing and the input are plain.
    drawMaps()->setOn(false);
    QVERIFY(!overlay->isVisible());
    QVERIFY(draw()->resultPanel()->inputView()->image().isGrayscale());
    QCOMPARE(drawMaps()->shownTarget(), -1);
  }

  void clickingABarExplainsThatClass() {
    drawAndExplain(7);
    clickBar(draw()->resultPanel()->chart(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->shownTarget() == 1, 20000);
    QCOMPARE(drawMaps()->mapCaptions().front(), QString("Why 1"));
    // A new drawing explains its own answer again.
    draw()->clear();
    drawDigit(draw()->canvas(), 0);
    draw()->predict();
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->shownTarget() == 0, 20000);
  }

  void gradientMethodsRunOnDigitLabsModel() {
    drawAndExplain(2);
    drawMaps()->setMethod(digitlab::ExplainMethod::kSmoothGrad);
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->methodUsed() == "SmoothGrad", 20000);
    drawMaps()->setMethod(digitlab::ExplainMethod::kGradCam);
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->methodUsed() == "Grad-CAM", 20000);
    drawMaps()->setMethod(digitlab::ExplainMethod::kOcclusion);
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->methodUsed() == "Occlusion", 20000);
  }

  void numberModeMapsEveryDigitOnTheDrawing() {
    window_->tabs()->setCurrentWidget(draw());
    draw()->setLiveMode(false);
    draw()->setNumberMode(true);
    draw()->clear();
    drawDigit(draw()->canvas(), 1, QRectF(0.1, 0.25, 0.3, 0.5));
    drawDigit(draw()->canvas(), 7, QRectF(0.6, 0.25, 0.3, 0.5));
    drawMaps()->setOn(true);
    draw()->predict();
    QCOMPARE(draw()->resultPanel()->answer(), QString("17"));
    QTRY_VERIFY_WITH_TIMEOUT(!drawMaps()->heatOnOriginal().isNull() && !drawMaps()->working(), 20000);
    const QSize size = draw()->canvas()->image().size();
    const QImage heat = drawMaps()->heatOnOriginal();
    const double left = heatShareIn(heat, size, QRect(0, 0, size.width() / 2, size.height()));
    qInfo("share of the heat on the left digit: %.2f", left);
    QVERIFY2(left > 0.15 && left < 0.85, qPrintable(QString("left half holds %1 of the heat").arg(left)));
    draw()->setNumberMode(false);
  }

  void unsureAnswerShowsTwoMaps() {
    auto* upload = window_->uploadTab();
    window_->tabs()->setCurrentWidget(upload);
    ExplainPanel* maps = upload->explainPanel();
    maps->setOn(true);
    // Two drawings blended, more and more of the second: somewhere the answer tips over, unsure.
    float confidence = 1;
    for (const auto& [a, b] : {std::pair{0, 6}, std::pair{1, 7}, std::pair{2, 7}}) {
      draw()->clear();
      drawDigit(draw()->canvas(), a);
      const QImage first = draw()->canvas()->image();
      draw()->clear();
      drawDigit(draw()->canvas(), b);
      const QImage second = draw()->canvas()->image();
      for (double w = 0.3; w <= 0.71 && confidence >= digitlab::kUnsureBelow; w += 0.025) {
        QVERIFY(upload->openImage(blend(first, second, w), "blend"));
        const auto p = upload->resultPanel()->chartedProbabilities();
        confidence = *std::max_element(p.begin(), p.end());
      }
      if (confidence < digitlab::kUnsureBelow) break;
    }
    QVERIFY2(confidence < digitlab::kUnsureBelow, "no blend gave an unsure answer");
    QTRY_VERIFY_WITH_TIMEOUT(maps->mapsShown() == 2 && !maps->working(), 20000);
    const QStringList captions = maps->mapCaptions();
    qInfo("unsure (%.2f): %s", static_cast<double>(confidence), qPrintable(captions.join(" / ")));
    // "Why A, not B" beside "Why B, not A".
    const QStringList first = captions[0].split(QRegularExpression("[ ,]+"));
    const QStringList second = captions[1].split(QRegularExpression("[ ,]+"));
    QCOMPARE(first.size(), 4);
    QCOMPARE(second.size(), 4);
    QCOMPARE(first[1], second[3]);
    QCOMPARE(first[3], second[1]);
    QVERIFY(first[1] != first[3]);
    // The map lies over the photo too.
    QVERIFY(!maps->heatOnOriginal().isNull());
    QVERIFY(!upload->stage(0)->image().isGrayscale());
    maps->setOn(false);
  }

  void drawingWithMapsOnNeverStallsTheEventLoop() {
    window_->tabs()->setCurrentWidget(draw());
    draw()->setNumberMode(false);
    draw()->clear();
    draw()->setLiveMode(true);
    drawMaps()->setOn(true);
    StallMeter stalls;
    const QRectF box(0.25, 0.12, 0.5, 0.76);
    for (const int digit : {7, 1, 0, 2, 6}) {
      draw()->clear();
      for (const auto& stroke : digitlab::apptest::digitStrokes(digit)) {
        // Stroke by stroke, in pieces, pausing like a hand: predictions and maps are asked for while drawing.
        QVector<QPointF> points;
        for (const QPointF& p : stroke) points << box.topLeft() + QPointF(p.x() * box.width(), p.y() * box.height());
        for (qsizetype start = 0; start + 1 < points.size(); start += 4) {
          digitlab::apptest::drawStroke(draw()->canvas(), points.mid(start, 5));
          QTest::qWait(40);
        }
      }
      QTest::qWait(300);
    }
    QTRY_VERIFY_WITH_TIMEOUT(drawMaps()->shownTarget() == 6 && !drawMaps()->working(), 20000);
    qInfo("longest event-loop stall while drawing with maps on: %lld ms", static_cast<long long>(stalls.longestMs()));
    QVERIFY2(stalls.longestMs() < 100, qPrintable(QString("stalled %1 ms").arg(stalls.longestMs())));
    draw()->setLiveMode(false);
    drawMaps()->setOn(false);
  }
};

QTEST_MAIN(ExplainTest)
#include "test_explain.moc"
