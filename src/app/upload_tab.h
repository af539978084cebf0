#pragma once
// The Upload tab: an image from a file (Open, drag and drop) or the clipboard, its preprocessing stages side by
// side (original, grayscale, ink found, the digit cropped, the 28x28 input) and the result panel.

#include "class_noun.h"

#include <digitlab/gray_image.h>

#include <QImage>
#include <QString>
#include <QWidget>

#include <array>
#include <memory>
#include <vector>

class QCheckBox;
class QLabel;
class QSettings;

namespace digitlab {
class Predictor;
}

namespace digitlab::app {

class ErrorBanner;
class ExplainPanel;
struct ErrorText;
class ImageView;
class NumberHint;
class ResultPanel;

class UploadTab : public QWidget {
  Q_OBJECT

 public:
  explicit UploadTab(QWidget* parent = nullptr);

  /// The model used from now on (may be null).
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  ResultPanel* resultPanel() const { return result_; }
  /// The error shown above the stages, or empty.
  QString error() const;
  /// The banner that shows errors (its details wait behind a button).
  ErrorBanner* errorBanner() const { return error_; }
  /// "Show where it looked": the maps of the answers, laid over the original and the 28x28 input.
  ExplainPanel* explainPanel() const { return explain_; }
  /// The stage views, left to right: original, grayscale, ink, cropped (or digits found), model input.
  ImageView* stage(int index) const { return stages_[static_cast<size_t>(index)]; }
  /// Reads a number (several digits) rather than one digit; re-reads the image shown. It stays off while the
  /// model does not read digits.
  void setNumberMode(bool on);
  /// The hint, after a one-digit reading of a number, to tick "Read a number"; hidden otherwise.
  NumberHint* numberHint() const { return numberHint_; }
  /// The file or clipboard name of the image shown, or empty.
  QString currentName() const { return name_; }

  void saveSettings(QSettings& settings) const;
  void restoreSettings(const QSettings& settings);

 public Q_SLOTS:
  /// Reads and shows an image file: the one entry point of Open, drag and drop, and the command line.
  /// Returns false, with the reason shown in the tab, when the file cannot be read.
  bool openFile(const QString& path);
  /// Shows an image that arrived without a file (pasted or dropped image data), named `name` in messages.
  bool openImage(const QImage& image, const QString& name);

 Q_SIGNALS:
  /// The Open button was pressed: the window shows its file dialog.
  void openRequested();
  /// The image shown changed: its name ("photo.jpg", "pasted image"), or empty when none is shown.
  void imageChanged(const QString& name);

 private:
  void show(const GrayImage& image, const QImage& original, const QString& name);
  void analyse();
  void showError(const ErrorText& error);
  /// Words the hint and the prompt for the model's classes, and offers number mode only for digits.
  void showNoun();
  /// The prompt shown while no image is.
  QString openPrompt() const;

  ResultPanel* result_;
  ErrorBanner* error_;
  ExplainPanel* explain_;
  QLabel* hint_;
  NumberHint* numberHint_;
  QCheckBox* number_;
  std::array<ImageView*, 5> stages_{};
  std::shared_ptr<const Predictor> predictor_;
  GrayImage image_;
  QImage original_;
  std::vector<QImage> inkMasks_;  ///< Each digit's ink, for the "Ink found" stage when a digit is picked.
  QString name_;
  ClassNoun noun_;  ///< What the model reads: digits, or other symbols.
};

}  // namespace digitlab::app
