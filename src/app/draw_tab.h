#pragma once
// The Draw tab: a canvas, Predict / Undo / Clear, the stroke width, "predict as I draw" (debounced), a
// multi-digit mode that reads a whole number, and "Add to my samples" / "Correct it"; the result panel beside it.

#include "class_noun.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QPushButton;
class QSettings;
class QSlider;
class QTimer;

namespace digitlab {
class Predictor;
}

namespace digitlab::app {

class CanvasWidget;
class ResultPanel;
class SampleAdder;
class ExplainPanel;
class HeatOverlay;
class NumberHint;

class DrawTab : public QWidget {
  Q_OBJECT

 public:
  explicit DrawTab(QWidget* parent = nullptr);

  /// The model used from now on (may be null: predicting then says no model is loaded).
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  CanvasWidget* canvas() const { return canvas_; }
  ResultPanel* resultPanel() const { return result_; }
  /// The "Add to my samples" row.
  SampleAdder* sampleAdder() const { return samples_; }
  /// "Show where it looked": the maps of the answers.
  ExplainPanel* explainPanel() const { return explain_; }
  /// The map laid over the canvas.
  HeatOverlay* heatOverlay() const { return overlay_; }
  /// The hint, after a one-digit reading of several digits, to tick "Read a number"; hidden otherwise.
  NumberHint* numberHint() const { return numberHint_; }
  /// Whether "predict as I draw" is on.
  bool liveMode() const;
  void setLiveMode(bool on);
  /// Whether a whole number is read instead of one digit.
  bool numberMode() const;
  /// Turns number mode on or off; it stays off while the model does not read digits.
  void setNumberMode(bool on);

  void saveSettings(QSettings& settings) const;
  void restoreSettings(const QSettings& settings);

 public Q_SLOTS:
  /// Reads the drawing now.
  void predict();
  /// Clears the canvas and the result.
  void clear();

 Q_SIGNALS:
  /// A line for the status bar ("Added to my samples: 7 (12 samples)").
  void statusMessage(const QString& text);

 private:
  /// The canvas with the buttons and the modes under it.
  QWidget* buildControls(QWidget* undo, QWidget* clearButton);
  void onCanvasChanged();
  /// Shows the slider's value beside it.
  void showStrokeWidth(int width);
  /// Words the canvas and the prompts for the model's classes, and offers number mode only for digits.
  void showNoun();
  /// The prompt shown while the canvas is empty.
  QString drawPrompt() const;

  CanvasWidget* canvas_;
  ResultPanel* result_;
  QPushButton* predictButton_;
  QSlider* strokeWidth_;
  QLabel* strokeValue_;
  QCheckBox* live_;
  QCheckBox* number_;
  SampleAdder* samples_;
  ExplainPanel* explain_;
  HeatOverlay* overlay_;
  NumberHint* numberHint_;
  QTimer* debounce_;
  std::shared_ptr<const Predictor> predictor_;
  ClassNoun noun_;  ///< What the model reads: digits, or other symbols.
};

}  // namespace digitlab::app
