#pragma once
// Downloads the missing MNIST files on a worker thread (a QObject moved to a QThread), reporting progress.

#include <QObject>
#include <QString>

#include <atomic>

namespace digitlab::app {

class DownloadWorker : public QObject {
  Q_OBJECT

 public:
  explicit DownloadWorker(QObject* parent = nullptr);

  /// Cancels the download; safe from any thread. Nothing partial is left.
  void requestCancel() { cancel_.store(true); }
  /// Clears an earlier request; call before queuing run(), so that a request made after that is never lost.
  void resetCancel() { cancel_.store(false); }

 public Q_SLOTS:
  /// Downloads every MNIST file missing from `folder` (DIGITLAB_MNIST_MIRRORS overrides the mirrors).
  void run(const QString& folder);

 Q_SIGNALS:
  /// `fraction` of all bytes in [0, 1] (-1 while unknown), and the file being fetched.
  void progress(double fraction, const QString& file);
  void finished();
  void failed(const QString& message);

 private:
  std::atomic<bool> cancel_{false};
};

}  // namespace digitlab::app
