#pragma once
// Loads models off the UI thread: a model file takes a second or more to judge, load and check, and the window
// must appear at once and stay responsive meanwhile. Only the newest load's outcome is reported.

#include <QObject>
#include <QSet>
#include <QString>

#include <memory>

class QThread;

namespace digitlab {
class Predictor;
}

namespace digitlab::app {

class ModelLoader : public QObject {
  Q_OBJECT

 public:
  explicit ModelLoader(QObject* parent = nullptr);
  /// Waits for loads still running (a load takes about a second).
  ~ModelLoader() override;

  /// Starts loading `path` on a worker thread; `trusted` runs a model the safety check refused. A load started
  /// later supersedes this one: only the newest reports.
  void load(const QString& path, bool trusted = false);
  /// True while the newest load runs.
  bool busy() const { return busy_; }

 Q_SIGNALS:
  /// The newest load finished with a model.
  void loaded(std::shared_ptr<const digitlab::Predictor> predictor);
  /// The newest load failed: `message` is the one-line error; `unsafeReason` is set when the model was refused as
  /// unsafe (then the user may choose to trust it).
  void failed(const QString& path, const QString& message, const QString& unsafeReason);

 private:
  struct Outcome;
  QSet<QThread*> threads_;
  int generation_ = 0;
  bool busy_ = false;
};

}  // namespace digitlab::app
