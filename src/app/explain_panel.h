#pragma once
// "Show where it looked": the toggle, the method, the opacity and the legend, and the maps themselves. It asks
// ExplainService for maps of each answer the result panel shows, lays the map over the 28x28 input view and hands
// the map on the original (the drawing or the photo) to its tab. Clicking a bar of the result panel's chart
// explains that class; an unsure answer shows the top two classes' maps side by side (why A, not B; why B, not A).

#include "explain_service.h"

#include <QImage>
#include <QStringList>
#include <QWidget>

#include <array>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QSettings;
class QSlider;

namespace digitlab::app {

class ImageView;
class ResultPanel;

class ExplainPanel : public QWidget {
  Q_OBJECT

 public:
  /// Explains the answers `result` shows; its chart's bars become clickable.
  explicit ExplainPanel(ResultPanel* result, QWidget* parent = nullptr);

  /// The model explained from now on (may be null).
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  /// What the input view shows of a reading.
  enum class InputView {
    kOneDigit,   ///< One digit's 28x28 input: the map is laid over it while one digit is read.
    kEveryDigit  ///< Every digit's input side by side (inputStrip()): each digit's map is laid over its input.
  };
  /// The view that shows the 28x28 input (or inputs): the maps are laid over it.
  void setInputView(ImageView* view, InputView shows = InputView::kOneDigit) {
    inputView_ = view;
    inputShows_ = shows;
  }

  /// Explains `reading` (just shown in the result panel), read from an image of size `original`, when maps are on.
  void showReading(const ImageReading& reading, QSize original);
  /// Forgets the reading: no map until the next showReading().
  void clear();
  /// Explains class `c` of the digit looked at (turning maps on).
  void explainClass(int c);

  bool isOn() const;
  void setOn(bool on);
  ExplainMethod method() const;
  void setMethod(ExplainMethod method);
  /// The maps' opacity, 0..1.
  double opacity() const;

  /// The class the map of the digit looked at explains; -1 when no map is shown.
  int shownTarget() const { return shownTarget_; }
  /// The method that made the maps shown, as said under them ("Occlusion"), or empty.
  QString methodUsed() const { return methodUsed_; }
  /// How many maps are shown side by side (0, 1 or 2), and their captions.
  int mapsShown() const;
  QStringList mapCaptions() const;
  /// The heat on the original image (heatToQImage()); null when none is shown.
  const QImage& heatOnOriginal() const { return heatOnOriginal_; }
  /// True while a map is being made.
  bool working() const { return service_->busy(); }

  void saveSettings(QSettings& settings, const QString& group) const;
  void restoreSettings(const QSettings& settings, const QString& group);

 Q_SIGNALS:
  /// The heat to lay over the original image changed (null: none), or its opacity did.
  void heatOnOriginalChanged(const QImage& heat, double opacity);
  /// New maps are shown.
  void explained();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void buildControls();
  void request();
  void onReady(const ExplainOutcome& outcome);
  void showMaps();
  void hideMaps();
  /// The 28x28 input (or every digit's input), with the maps over it when they are shown.
  void paintInputView();
  /// The class of the chart's bar at `viewportPos`; -1 when none is there.
  int classAtChart(const QPoint& viewportPos) const;
  QString nameOf(int c) const;

  ResultPanel* result_;
  ExplainService* service_;
  ImageView* inputView_ = nullptr;
  InputView inputShows_ = InputView::kOneDigit;
  QCheckBox* toggle_;
  QComboBox* method_;
  QWidget* details_;
  QSlider* opacity_;
  QLabel* methodLabel_;
  std::array<ImageView*, 2> maps_{};

  std::shared_ptr<const Predictor> predictor_;
  ImageReading reading_;
  QSize original_;
  int focus_ = 0;
  int target_ = -1;
  ExplainOutcome outcome_;
  bool shown_ = false;
  int shownTarget_ = -1;
  QString methodUsed_;
  QImage heatOnOriginal_;
};

}  // namespace digitlab::app
