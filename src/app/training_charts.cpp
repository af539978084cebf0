#include "training_charts.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitlab::app {
namespace {

/// The training-loss curve is thinned to half whenever it grows past this many points.
constexpr int kMaxBatchPoints = 2000;
/// A value axis has at most this many steps between ticks.
constexpr int kValueParts = 5;

/// The smallest of 1, 2, 5, 10, 20, 50… that cuts `span` into at most `parts` parts.
double roundStep(double span, int parts) {
  if (span <= 0) return 1;
  const double raw = span / parts;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= raw * (1 - 1e-9)) return m * decade;
  }
  return 10 * decade;
}

/// Widens [low, high] to whole steps of roundStep() and puts a tick on each: 0, 20, 40… not 9.0, 31.8, 54.5….
void setRoundRange(QValueAxis* axis, double low, double high, int maxParts, double smallestStep = 0) {
  const double step = std::max(roundStep(high - low, maxParts), smallestStep);
  const double from = std::floor(low / step + 1e-9) * step;
  const double to = std::max(from + step, std::ceil(high / step - 1e-9) * step);
  axis->setRange(from, to);
  axis->setTickCount(static_cast<int>(std::lround((to - from) / step)) + 1);
}

QChartView* makeChart(const QString& title, QValueAxis* x, QValueAxis* y, std::initializer_list<QLineSeries*> series,
                      QWidget* parent) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QLineSeries* s : series) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  }
  chart->legend()->setVisible(series.size() > 1);
  chart->legend()->setAlignment(Qt::AlignBottom);
  x->setTitleText(QObject::tr("epoch"));
  x->setLabelFormat("%.0f");
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(220, 180);
  return view;
}

QLineSeries* makeSeries(const QString& name, const QColor& colour, bool markers) {
  auto* s = new QLineSeries;
  s->setName(name);
  QPen pen(colour);
  pen.setWidthF(2.0);
  s->setPen(pen);
  s->setPointsVisible(markers);
  return s;
}

}  // namespace

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent) {
  trainLoss_ = makeSeries(tr("training (smoothed)"), QColor(88, 166, 255), false);
  valLoss_ = makeSeries(tr("validation"), QColor(248, 81, 73), true);
  valAccuracy_ = makeSeries(tr("validation accuracy"), QColor(63, 185, 80), true);
  learningRate_ = makeSeries(tr("learning rate"), QColor(210, 153, 34), true);
  lossX_ = new QValueAxis;
  lossY_ = new QValueAxis;
  accuracyX_ = new QValueAxis;
  accuracyY_ = new QValueAxis;
  rateX_ = new QValueAxis;
  rateY_ = new QValueAxis;
  rateY_->setLabelFormat("%g");

  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(makeChart(tr("Loss"), lossX_, lossY_, {trainLoss_, valLoss_}, this), 0, 0, 1, 2);
  layout->addWidget(makeChart(tr("Validation accuracy"), accuracyX_, accuracyY_, {valAccuracy_}, this), 1, 0);
  layout->addWidget(makeChart(tr("Learning rate"), rateX_, rateY_, {learningRate_}, this), 1, 1);
  layout->setRowStretch(0, 3);
  layout->setRowStretch(1, 2);
  reset(10);
}

void TrainingCharts::reset(int epochs) {
  for (QLineSeries* s : {trainLoss_, valLoss_, valAccuracy_, learningRate_}) s->clear();
  maxLoss_ = 0;
  // Whole epochs; the two small charts get fewer ticks, so that their labels never run together.
  setRoundRange(lossX_, 0, std::max(1, epochs), /*maxParts=*/10, /*smallestStep=*/1);
  for (QValueAxis* x : {accuracyX_, rateX_})
    setRoundRange(x, 0, std::max(1, epochs), /*maxParts=*/5, /*smallestStep=*/1);
  setRoundRange(lossY_, 0, 1, kValueParts);
  setAccuracyRange(90);
  setRoundRange(rateY_, 0, 1e-3, kValueParts);
}

void TrainingCharts::addBatch(double epochPosition, double smoothedLoss) {
  if (trainLoss_->count() >= kMaxBatchPoints) {
    QList<QPointF> points = trainLoss_->points();
    QList<QPointF> thinned;
    for (int i = 0; i < points.size(); i += 2) thinned.append(points[i]);
    trainLoss_->replace(thinned);
  }
  trainLoss_->append(epochPosition, smoothedLoss);
  if (smoothedLoss > maxLoss_) {
    maxLoss_ = smoothedLoss;
    setRoundRange(lossY_, 0, maxLoss_ * 1.05, kValueParts);
  }
}

void TrainingCharts::addEpoch(const EpochStats& stats) {
  valLoss_->append(stats.epoch, stats.val_loss);
  if (stats.val_loss > maxLoss_) {
    maxLoss_ = stats.val_loss;
    setRoundRange(lossY_, 0, maxLoss_ * 1.05, kValueParts);
  }
  const double percent = stats.val_accuracy * 100.0;
  valAccuracy_->append(stats.epoch, percent);
  double lowest = percent;
  for (const QPointF& p : valAccuracy_->points()) lowest = std::min(lowest, p.y());
  setAccuracyRange(lowest);
  learningRate_->append(stats.epoch, stats.lr);
  double highest = 0;
  for (const QPointF& p : learningRate_->points()) highest = std::max(highest, p.y());
  setRoundRange(rateY_, 0, highest * 1.05, kValueParts);
}

void TrainingCharts::setAccuracyRange(double lowestPercent) {
  setRoundRange(accuracyY_, std::max(0.0, lowestPercent - 1.0), 100.0, kValueParts);
  const double step = (accuracyY_->max() - accuracyY_->min()) / (accuracyY_->tickCount() - 1);
  accuracyY_->setLabelFormat(step < 1 ? "%.1f%%" : "%.0f%%");
}

int TrainingCharts::batchPointCount() const { return trainLoss_->count(); }
int TrainingCharts::epochPointCount() const { return valAccuracy_->count(); }

}  // namespace digitlab::app
