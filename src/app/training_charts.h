#pragma once
// The Train tab's live plots: the training loss per batch (smoothed) with the validation loss per epoch,
// the validation accuracy per epoch, and the learning rate.

#include <digitlab/trainer.h>

#include <QList>
#include <QWidget>

class QChart;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace digitlab::app {

class TrainingCharts : public QWidget {
  Q_OBJECT

 public:
  explicit TrainingCharts(QWidget* parent = nullptr);

  /// Empties every plot for a run of `epochs` epochs.
  void reset(int epochs);
  /// Adds a training-loss point at `epochPosition` (e.g. 2.5 = half way through epoch 3).
  void addBatch(double epochPosition, double smoothedLoss);
  /// Adds an epoch's validation loss, validation accuracy and learning rate.
  void addEpoch(const EpochStats& stats);

  /// Points in the training-loss curve.
  int batchPointCount() const;
  /// Epochs plotted.
  int epochPointCount() const;

  /// The axes, for tests: x then y of the loss, accuracy and learning-rate charts.
  QList<QValueAxis*> axes() const { return {lossX_, lossY_, accuracyX_, accuracyY_, rateX_, rateY_}; }

 private:
  /// The accuracy axis from just under `lowestPercent` to 100%, on round ticks.
  void setAccuracyRange(double lowestPercent);

  QLineSeries* trainLoss_;
  QLineSeries* valLoss_;
  QLineSeries* valAccuracy_;
  QLineSeries* learningRate_;
  QValueAxis* lossX_;
  QValueAxis* lossY_;
  QValueAxis* accuracyX_;
  QValueAxis* accuracyY_;
  QValueAxis* rateX_;
  QValueAxis* rateY_;
  double maxLoss_ = 0;
};

}  // namespace digitlab::app
