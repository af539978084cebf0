#pragma once
// What the model made of a drawing or an upload: the class (a digit, or in multi-digit mode the number) large,
// its confidence, the top 3, a bar chart of the probabilities and the 28x28 input the model saw, all named with
// the model's class names. Shared by the Draw and Upload tabs.

#include "class_noun.h"

#include <digitlab/digit_reader.h>

#include <QImage>
#include <QWidget>

#include <string>
#include <vector>

class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QVBoxLayout;
class QScrollArea;

namespace digitlab::app {

class ImageView;
class ProbabilityChart;

class ResultPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ResultPanel(QWidget* parent = nullptr);

  /// The model's class names, one per class, used by the top 3 and the chart from now on ("0".."9" at first);
  /// the panel speaks of digits or of symbols after them (ClassNoun).
  void setClassNames(const std::vector<std::string>& names);

  /// Shows what read_digits() read in one image: one digit, or the digits of a number (left to right) when
  /// `number`; a reading with no digit shows "No digit found" ("No symbol found" for other models).
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
  /// The probabilities shown, one per class (all zero when none are shown).
  std::vector<float> chartedProbabilities() const { return charted_; }
  /// The probability chart.
  ProbabilityChart* chart() const { return chart_; }
  /// The top 3 as shown ("Top 3: 7 98.0% · 1 1.2% · 9 0.3%"), as plain text.
  QString topThree() const;
  /// The answer's font size in pixels: it grows with the panel.
  int answerPixelSize() const;
  /// The 28x28 input view.
  ImageView* inputView() const { return inputView_; }

 Q_SIGNALS:
  /// A new answer (or message) is shown.
  void updated();
  /// The user picked digit `index` of a number (its chart and input are shown).
  void digitPicked(int index);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void showDigit(int index);
  /// Sizes the answer's font to the panel and to the answer's length.
  void scaleAnswer();
  void setChart(const Prediction* prediction);

  QVBoxLayout* layout_;
  QHBoxLayout* top_;  ///< The answer and its words beside the 28x28 input.
  QLabel* answerLabel_;
  QLabel* confidenceLabel_;
  QLabel* top3Label_;
  ProbabilityChart* chart_;
  ImageView* inputView_;
  QScrollArea* digitStrip_;
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
  int smallestAnswerPixels_ = 48;  ///< The answer's font size in a small window.
  std::vector<float> charted_;
  std::vector<std::string> names_;
  ClassNoun noun_;
};

}  // namespace digitlab::app
