#include "model_loader.h"

#include <digitlab/predictor.h>

#include <QThread>

namespace digitlab::app {

/// What a worker thread leaves for the UI thread.
struct ModelLoader::Outcome {
  std::shared_ptr<const Predictor> predictor;
  QString message;
  QString unsafeReason;
};

ModelLoader::ModelLoader(QObject* parent) : QObject(parent) {}

ModelLoader::~ModelLoader() {
  // Their finished() slots will not run now: wait for each thread and delete it here.
  for (QThread* thread : threads_) {
    thread->wait();
    delete thread;
  }
}

void ModelLoader::load(const QString& path, bool trusted) {
  const int generation = ++generation_;
  busy_ = true;
  auto outcome = std::make_shared<Outcome>();
  QThread* thread = QThread::create([outcome, file = path.toStdString(), trusted] {
    try {
      outcome->predictor = std::make_shared<const Predictor>(file, "cpu", trusted);
    } catch (const UnsafeModelError& e) {
      outcome->message = QString::fromStdString(e.what());
      outcome->unsafeReason = QString::fromStdString(e.reason());
    } catch (const std::exception& e) {
      outcome->message = QString::fromStdString(e.what());
    }
  });
  threads_.insert(thread);
  // finished comes from the worker thread; this slot runs on the UI thread.
  connect(thread, &QThread::finished, this, [this, thread, outcome, generation, path] {
    threads_.remove(thread);
    thread->deleteLater();
    if (generation != generation_) return;  // a newer load superseded this one
    busy_ = false;
    if (outcome->predictor) {
      Q_EMIT loaded(outcome->predictor);
    } else {
      Q_EMIT failed(path, outcome->message, outcome->unsafeReason);
    }
  });
  thread->start();
}

}  // namespace digitlab::app
