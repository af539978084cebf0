#include "model_locator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace digitlab::app {

QStringList bundledModelCandidates() {
  const QDir appDir(QCoreApplication::applicationDirPath());
  return {
      QDir::cleanPath(appDir.filePath("../" DIGITLAB_INSTALL_MODELS_DIR "/digitnet.pt")),
      QDir::cleanPath(QStringLiteral(DIGITLAB_SOURCE_MODELS_DIR "/digitnet.pt")),
  };
}

QString bundledModelPath() {
  for (const QString& candidate : bundledModelCandidates()) {
    if (QFileInfo(candidate).isFile()) return candidate;
  }
  return {};
}

}  // namespace digitlab::app
