#include "error_text.h"

#include <digitlab/mnist.h>

#include <QCoreApplication>
#include <QFileInfo>

namespace digitlab::app {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ErrorText", text); }

/// What went wrong with an image, in a user's words, judged from the core's message.
QString imageProblem(const QString& what) {
  if (what.contains("file not found")) return tr("the file does not exist.");
  if (what.contains("is a folder")) return tr("it is a folder, not an image file.");
  if (what.contains("cannot open") || what.contains("cannot read"))
    return tr("the file cannot be read (check that you may read it).");
  if (what.contains("empty file")) return tr("the file is empty.");
  if (what.contains("too large") || what.contains("expected at most")) return tr("the picture is too large.");
  if (what.contains("not an image")) return tr("it is not a picture DigitLab can read (PNG, JPEG, BMP, GIF or TGA).");
  return tr("the picture is damaged or incomplete.");
}

}  // namespace

ErrorText describeImageError(const QString& path, const QString& what) {
  return {tr("Cannot open %1: %2").arg(QFileInfo(path).fileName(), imageProblem(what)), what};
}

ErrorText describeImageDataError(const QString& name, const QString& what) {
  return {tr("Cannot read %1: %2").arg(name, imageProblem(what)), what};
}

ErrorText describeModelError(const QString& path, const QString& what) {
  QString problem = tr("it cannot be used as a digit model.");
  if (what.contains("not found")) {
    problem = tr("the file does not exist.");
  } else if (what.contains("not a readable TorchScript model")) {
    problem = tr("it is not a TorchScript model file, or it is damaged.");
  } else if (what.contains("accept N x 1 x 28 x 28") || what.contains("model returns") ||
             what.contains("output has shape") || what.contains("returned shape")) {
    problem = tr("it is a model, but not one that reads 28x28 digits.");
  }
  return {tr("Cannot load %1: %2").arg(QFileInfo(path).fileName(), problem), what};
}

ErrorText describeTrainingError(const QString& what) {
  for (const auto& file : mnist_files()) {
    const QString name = QString::fromLatin1(file.name);
    if (what.contains(name)) {
      return {tr("Training failed: the MNIST file %1 is damaged or is not an MNIST file. Download MNIST again into "
                 "an empty folder.")
                  .arg(name),
              what};
    }
  }
  if (what.contains("out of memory", Qt::CaseInsensitive))
    return {tr("Training failed: the device ran out of memory. Try a smaller batch size."), what};
  if (what.contains("cannot write") || what.contains("cannot create") || what.contains("disk full"))
    return {tr("Training failed: the model could not be saved. Check the \"Save models in\" folder."), what};
  return {tr("Training failed. Press Details for the reason."), what};
}

ErrorText describeDownloadError(const QString& what) {
  if (what.contains("disk full") || what.contains("cannot create") || what.contains("cannot write"))
    return {tr("Cannot download MNIST: the files cannot be written to the MNIST folder."), what};
  return {tr("Cannot download MNIST: no download site could be reached. Check the internet connection, or copy the "
             "four MNIST files into the MNIST folder yourself."),
          what};
}

}  // namespace digitlab::app
