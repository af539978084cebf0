#include "training_worker.h"

#include <QElapsedTimer>

#include <exception>
#include <new>

namespace digitlab::app {
namespace {

/// Least time between two batch signals: the GUI repaints its plot at most this often.
constexpr qint64 kBatchSignalIntervalMs = 100;
/// Weight of the newest batch in the smoothed training loss.
constexpr double kLossSmoothing = 0.05;

}  // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
  qRegisterMetaType<digitlab::BatchStats>();
  qRegisterMetaType<digitlab::EpochStats>();
  qRegisterMetaType<digitlab::TrainResult>();
}

void TrainingWorker::run(const digitlab::TrainConfig& config) {
  QElapsedTimer sinceSignal;
  sinceSignal.start();
  double smoothed = -1;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchStats& stats) {
    smoothed = smoothed < 0 ? stats.loss : smoothed + kLossSmoothing * (stats.loss - smoothed);
    if (stats.batch == stats.batches || sinceSignal.elapsed() >= kBatchSignalIntervalMs) {
      sinceSignal.restart();
      Q_EMIT batchDone(stats, smoothed);
    }
  };
  callbacks.on_epoch = [this](const EpochStats& stats) { Q_EMIT epochDone(stats); };
  callbacks.on_log = [this](const std::string& line) { Q_EMIT logLine(QString::fromStdString(line)); };
  callbacks.on_phase = [this](const std::string& what) { Q_EMIT phaseChanged(QString::fromStdString(what)); };
  try {
    Trainer trainer(config);
    const TrainResult result = trainer.run(callbacks, &stop_);
    Q_EMIT finished(result);
  } catch (const std::bad_alloc&) {
    Q_EMIT failed(tr("Out of memory: try a smaller batch size"));
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
  } catch (...) {
    Q_EMIT failed(tr("Training failed with an unknown error"));
  }
}

}  // namespace digitlab::app
