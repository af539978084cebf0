#include "download_worker.h"

#include <digitlab/mnist_downloader.h>

#include <QElapsedTimer>
#include <QString>

#include <exception>

namespace digitlab::app {

DownloadWorker::DownloadWorker(QObject* parent) : QObject(parent) {}

void DownloadWorker::run(const QString& folder) {
  QElapsedTimer sinceSignal;
  sinceSignal.start();
  try {
    MnistDownloader(MnistDownloader::mirrors_from_environment())
        .ensure(folder.toStdString(), [&](const MnistDownloader::DownloadProgress& p) {
          if (sinceSignal.elapsed() >= 100 || p.received == p.total) {
            sinceSignal.restart();
            const double within = p.total > 0 ? static_cast<double>(p.received) / static_cast<double>(p.total) : 0.0;
            Q_EMIT progress((p.file_index + within) / p.file_count, QString::fromStdString(p.file));
          }
          return !cancel_.load();
        });
    Q_EMIT finished();
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
  }
}

}  // namespace digitlab::app
