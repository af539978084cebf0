#pragma once
// The hint that a single-digit reading was done on a number: the image (or drawing) is read again as a number on a
// worker, and when that finds two or more digits, each read surely, the hint says how many and offers number mode
// ("This looks like a number of 6 digits: tick Read a number to read them all"). Digit models only.

#include <digitlab/gray_image.h>
#include <digitlab/preprocessor.h>

#include <QLabel>
#include <QThreadPool>

#include <memory>

namespace digitlab {
class Predictor;
}

namespace digitlab::app {

class NumberHint : public QLabel {
  Q_OBJECT

 public:
  explicit NumberHint(QWidget* parent = nullptr);
  ~NumberHint() override;

  /// The model that reads the number from now on (may be null); hides the hint and drops checks asked for before.
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  /// Hides the hint and reads `image` as a number on the worker; shows the hint if it holds several digits. Does
  /// nothing more for a model that does not read digits. Replaces a check still waiting.
  void check(const GrayImage& image, const PreprocessOptions& preprocess);
  /// Hides the hint and drops the checks under way (number mode ticked, the image gone, the drawing changed).
  void dismiss();
  /// The digits of the number the hint names; 0 while it is hidden.
  int digitCount() const { return digits_; }
  /// True while a check runs or waits.
  bool busy() const { return running_ || waiting_; }

 Q_SIGNALS:
  /// The hint's link was clicked: the tab ticks "Read a number".
  void numberModeRequested();

 private:
  struct Job {
    GrayImage image;
    PreprocessOptions preprocess;
  };
  void startNext();
  void finish(int digits, quint64 generation);

  QThreadPool pool_;
  std::shared_ptr<const Predictor> predictor_;
  bool digitModel_ = false;
  Job next_;
  bool waiting_ = false;
  bool running_ = false;
  quint64 generation_ = 0;
  int digits_ = 0;
};

}  // namespace digitlab::app
