#pragma once
// The Draw tab: a canvas, Predict / Undo / Clear, the stroke width, "predict as I draw" (debounced) and a
// multi-digit mode that reads a whole number; the result panel beside it.

#include <QWidget>

#include <memory>

class QCheckBox;
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

class DrawTab : public QWidget {
  Q_OBJECT

 public:
  explicit DrawTab(QWidget* parent = nullptr);

  /// The model used from now on (may be null: predicting then says no model is loaded).
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  CanvasWidget* canvas() const { return canvas_; }
  ResultPanel* resultPanel() const { return result_; }
  /// Whether "predict as I draw" is on.
  bool liveMode() const;
  void setLiveMode(bool on);
  /// Whether a whole number is read instead of one digit.
  bool numberMode() const;
  void setNumberMode(bool on);

  void saveSettings(QSettings& settings) const;
  void restoreSettings(const QSettings& settings);

 public Q_SLOTS:
  /// Reads the drawing now.
  void predict();
  /// Clears the canvas and the result.
  void clear();

 private:
  void onCanvasChanged();

  CanvasWidget* canvas_;
  ResultPanel* result_;
  QPushButton* predictButton_;
  QSlider* strokeWidth_;
  QCheckBox* live_;
  QCheckBox* number_;
  QTimer* debounce_;
  std::shared_ptr<const Predictor> predictor_;
};

}  // namespace digitlab::app
