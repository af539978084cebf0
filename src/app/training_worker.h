#pragma once
// Runs the core Trainer on a worker thread: a QObject moved to a QThread that turns the trainer's callbacks
// into queued signals. It never touches a widget; the Train tab owns the thread.

#include <digitlab/trainer.h>

#include <QObject>
#include <QString>

#include <atomic>

Q_DECLARE_METATYPE(digitlab::BatchStats)
Q_DECLARE_METATYPE(digitlab::EpochStats)
Q_DECLARE_METATYPE(digitlab::TrainResult)

namespace digitlab::app {

class TrainingWorker : public QObject {
  Q_OBJECT

 public:
  explicit TrainingWorker(QObject* parent = nullptr);

  /// Asks the run to end; safe from any thread. The trainer checks it every batch and keeps the best model.
  void requestStop() { stop_.store(true); }
  /// Clears an earlier request; call before queuing run(), so that a request made after that is never lost.
  void resetStop() { stop_.store(false); }

 public Q_SLOTS:
  /// Trains with `config` on the calling (worker) thread; emits finished() or failed() at the end.
  void run(const digitlab::TrainConfig& config);

 Q_SIGNALS:
  /// Throttled to a few per second (the last batch of an epoch always comes); `smoothedLoss` is an
  /// exponential moving average over every batch, not only the ones reported.
  void batchDone(const digitlab::BatchStats& stats, double smoothedLoss);
  void epochDone(const digitlab::EpochStats& stats);
  void logLine(const QString& line);
  /// The run's final steps after the last epoch ("measuring the best model on 10000 test images").
  void phaseChanged(const QString& what);
  void finished(const digitlab::TrainResult& result);
  /// The run could not go on: missing or corrupt data, a full disk, out of memory...
  void failed(const QString& message);

 private:
  std::atomic<bool> stop_{false};
};

}  // namespace digitlab::app
