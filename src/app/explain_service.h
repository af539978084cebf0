#pragma once
// Explanations off the GUI thread: one job at a time on a worker, the newest request waiting behind it, and every
// request older than the newest dropped, so drawing with maps on never waits for a map and never shows a stale one.

#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>

#include <QImage>
#include <QObject>
#include <QSize>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <vector>

namespace digitlab::app {

/// What to explain: a reading, which digit the user looks at, and how.
struct ExplainJob {
  ImageReading reading;
  int focus = 0;    ///< The digit looked at (a number has several).
  int target = -1;  ///< The class to explain for that digit; -1: its answer.
  ExplainMethod method = ExplainMethod::kOcclusion;
  QSize original;  ///< The size of the image the reading came from.
};

/// What came of an ExplainJob.
struct ExplainOutcome {
  std::vector<Explanation> digits;  ///< One map per digit of the reading.
  /// When the focus digit's answer is unsure and no class was asked for: why the top class and not the runner-up,
  /// and why the runner-up and not the top class. Else empty.
  std::vector<Explanation> pair;
  QImage heatOnOriginal;  ///< Every digit's heat on the original image (heatToQImage()).
  QString error;          ///< Why nothing was explained; else empty.
};

class ExplainService : public QObject {
  Q_OBJECT

 public:
  explicit ExplainService(QObject* parent = nullptr);
  ~ExplainService() override;

  /// The model explained from now on (may be null); jobs asked for before are dropped.
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  /// Explains `job` on the worker; replaces a job still waiting, and drops the outcome of one running.
  void request(ExplainJob job);
  /// Drops the waiting job and the outcome of the running one.
  void cancel();
  /// True while a job runs or waits.
  bool busy() const { return running_ || waiting_; }

 Q_SIGNALS:
  /// The outcome of the newest request.
  void ready(const digitlab::app::ExplainOutcome& outcome);

 private:
  struct Cache;
  void startNext();
  void finish(const ExplainOutcome& outcome, quint64 generation);

  QThreadPool pool_;
  std::shared_ptr<const Predictor> predictor_;
  std::shared_ptr<Cache> cache_;  ///< The Explainer, made and used on the worker only.
  ExplainJob next_;
  bool waiting_ = false;
  bool running_ = false;
  quint64 generation_ = 0;
};

}  // namespace digitlab::app
