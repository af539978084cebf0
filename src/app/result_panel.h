#pragma once
// What the model made of a drawing or an upload: the digit (or, in multi-digit mode, the number) large, its
// confidence, the top 3, a bar chart of the ten probabilities and the 28x28 input the model saw. Shared by the
// Draw and Upload tabs.

#include <digitlab/digit_reader.h>

#include <QImage>
#include <QWidget>

#include <vector>

class QBarSet;
class QButtonGroup;
class QHBoxLayout;
class QLabel;

namespace digitlab::app {

class ImageView;

class ResultPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ResultPanel(QWidget* parent = nullptr);

  /// Shows what read_digits() read in one image: one digit, or the digits of a number (left to right) when
  /// `number`; a reading with no digit shows "No digit found".
  void showReading(const ImageReading& reading, bool number);
  /// Shows a message instead of a result ("Draw a digit first", "No digit found").
  void showMessage(const QString& message);
  /// Marks the answer shown as out of date (the drawing changed since): it is greyed out and says so, until the
  /// next showReading() or showMessage(). Nothing happens while a message is shown.
  void markOutOfDate();
  /// True while an answer is shown that no longer matches its input.
  bool outOfDate() const { return outOfDate_; }
  /// Shows or hides the 28x28 input view (the Upload tab shows it among its stages instead).
  void setInputViewVisible(bool visible);

  /// The answer shown: "7", "2026", or empty while a message is shown.
  QString answer() const { return answer_; }
  /// The message shown instead of an answer, or empty.
  QString message() const { return message_; }
  /// Probabilities in the chart, per digit 0..9 (all zero when none are shown).
  std::array<float, 10> chartedProbabilities() const { return charted_; }

 Q_SIGNALS:
  /// A new answer (or message) is shown.
  void updated();
  /// The user picked digit `index` of a number (its chart and input are shown).
  void digitPicked(int index);

 private:
  void showDigit(int index);
  void setChart(const Prediction* prediction);

  QLabel* answerLabel_;
  QLabel* confidenceLabel_;
  QLabel* top3Label_;
  QBarSet* bars_;
  ImageView* inputView_;
  QWidget* digitStrip_;
  QHBoxLayout* digitStripLayout_;
  QButtonGroup* digitButtons_;
  /// One digit shown: the network input and the model's answer.
  struct ShownDigit {
    QImage input28;
    Prediction prediction;
  };
  std::vector<ShownDigit> readings_;
  QString answer_;
  QString message_;
  bool outOfDate_ = false;
  std::array<float, 10> charted_{};
};

}  // namespace digitlab::app
