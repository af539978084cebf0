#include "draw_tab.h"

#include "canvas_widget.h"
#include "explain_panel.h"
#include "heat_overlay.h"
#include "image_convert.h"
#include "number_hint.h"
#include "result_panel.h"
#include "sample_adder.h"

#include <digitlab/digit_reader.h>
#include <digitlab/predictor.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <exception>

namespace digitlab::app {
namespace {

/// Quiet time after the last pen movement before "predict as I draw" reads the drawing.
constexpr int kLiveDebounceMs = 150;
/// The result panel's least width: room for the chart's ten bars and their labels.
constexpr int kResultPanelMinWidth = 300;

}  // namespace

DrawTab::DrawTab(QWidget* parent) : QWidget(parent) {
  canvas_ = new CanvasWidget(this);
  result_ = new ResultPanel(this);

  predictButton_ = new QPushButton(tr("&Predict"), this);
  predictButton_->setObjectName("predictButton");
  predictButton_->setDefault(true);
  predictButton_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  predictButton_->setToolTip(tr("Read the drawing (Ctrl+Enter)"));
  auto* keypadEnter = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), this);
  connect(keypadEnter, &QShortcut::activated, this, &DrawTab::predict);
  auto* undo = new QPushButton(tr("&Undo stroke"), this);
  undo->setToolTip(tr("Remove the last stroke (Ctrl+Z)"));
  auto* clearButton = new QPushButton(tr("&Clear"), this);
  clearButton->setToolTip(tr("Clear the canvas (Delete or Escape)"));
  strokeWidth_ = new QSlider(Qt::Horizontal, this);
  strokeWidth_->setRange(6, 48);
  strokeWidth_->setValue(canvas_->strokeWidth());
  strokeWidth_->setToolTip(tr("Stroke width"));
  strokeWidth_->setAccessibleName(tr("Stroke width"));
  strokeValue_ = new QLabel(this);
  strokeValue_->setObjectName("strokeWidthValue");
  // As wide as its widest text, so that the slider does not move while it is dragged.
  strokeValue_->setMinimumWidth(strokeValue_->fontMetrics().horizontalAdvance(tr("%1 px").arg(48)) + 2);
  showStrokeWidth(strokeWidth_->value());
  live_ = new QCheckBox(tr("Predict as I &draw"), this);
  number_ = new QCheckBox(tr("Read a &number (several digits)"), this);
  samples_ = new SampleAdder(canvas_, this);
  numberHint_ = new NumberHint(this);
  connect(numberHint_, &NumberHint::numberModeRequested, this, [this] { setNumberMode(true); });
  connect(canvas_, &CanvasWidget::changed, numberHint_, &NumberHint::dismiss);
  // "Show where it looked": the map over the drawing, cleared as soon as the drawing changes.
  explain_ = new ExplainPanel(result_, this);
  explain_->setInputView(result_->inputView());
  overlay_ = new HeatOverlay(canvas_);
  connect(explain_, &ExplainPanel::heatOnOriginalChanged, this, [this](const QImage& heat, double opacity) {
    overlay_->setOpacity(opacity);
    overlay_->setHeat(heat);
  });
  connect(canvas_, &CanvasWidget::changed, explain_, &ExplainPanel::clear);
  connect(samples_, &SampleAdder::message, this, &DrawTab::statusMessage);
  // "Correct it" corrects the answer shown: one digit or class, not a number, and not a message.
  connect(result_, &ResultPanel::updated, this,
          [this] { samples_->setSuggestion(number_->isChecked() ? QString() : result_->answer()); });

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(kLiveDebounceMs);

  connect(predictButton_, &QPushButton::clicked, this, &DrawTab::predict);
  connect(undo, &QPushButton::clicked, canvas_, &CanvasWidget::undoStroke);
  connect(clearButton, &QPushButton::clicked, this, &DrawTab::clear);
  connect(strokeWidth_, &QSlider::valueChanged, canvas_, &CanvasWidget::setStrokeWidth);
  connect(strokeWidth_, &QSlider::valueChanged, this, &DrawTab::showStrokeWidth);
  connect(canvas_, &CanvasWidget::changed, this, &DrawTab::onCanvasChanged);
  connect(debounce_, &QTimer::timeout, this, &DrawTab::predict);
  connect(live_, &QCheckBox::toggled, this, [this](bool on) {
    if (on && !canvas_->isEmpty()) predict();
  });
  connect(number_, &QCheckBox::toggled, this, [this](bool on) {
    samples_->setReadingNumbers(on);  // a drawing of a number is no sample of one class
    if (!canvas_->isEmpty()) predict();
  });

  QWidget* left = buildControls(undo, clearButton);
  showNoun();

  // The result panel's least width does not depend on what it shows, so a prediction never takes room (and ink)
  // from the canvas.
  result_->setMinimumWidth(kResultPanelMinWidth);
  // Beside the answer, what to do when it is wrong: file the drawing under the right name.
  auto* right = new QWidget(this);
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(0, 0, 0, 0);
  rightLayout->addWidget(result_, 1);
  rightLayout->addWidget(numberHint_);
  rightLayout->addWidget(explain_);
  rightLayout->addWidget(samples_);
  auto* splitter = new QSplitter(this);
  splitter->addWidget(left);
  splitter->addWidget(right);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  splitter->setChildrenCollapsible(false);
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(splitter);
  result_->showMessage(drawPrompt());
}

QWidget* DrawTab::buildControls(QWidget* undo, QWidget* clearButton) {
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(predictButton_);
  buttons->addWidget(undo);
  buttons->addWidget(clearButton);
  buttons->addSpacing(12);
  auto* strokeLabel = new QLabel(tr("Stro&ke:"), this);
  strokeLabel->setBuddy(strokeWidth_);
  buttons->addWidget(strokeLabel);
  buttons->addWidget(strokeWidth_, 1);
  buttons->addWidget(strokeValue_);
  auto* modes = new QHBoxLayout;
  modes->addWidget(live_);
  modes->addWidget(number_);
  modes->addStretch();
  auto* left = new QWidget(this);
  auto* leftLayout = new QVBoxLayout(left);
  leftLayout->setContentsMargins(0, 0, 0, 0);
  leftLayout->addWidget(canvas_, 1);
  leftLayout->addLayout(buttons);
  leftLayout->addLayout(modes);
  return left;
}

void DrawTab::showStrokeWidth(int width) { strokeValue_->setText(tr("%1 px").arg(width)); }

void DrawTab::setPredictor(std::shared_ptr<const Predictor> predictor) {
  predictor_ = std::move(predictor);
  explain_->setPredictor(predictor_);
  numberHint_->setPredictor(predictor_);
  if (predictor_) {
    result_->setClassNames(predictor_->class_names());
    samples_->setClassNames(predictor_->class_names());
  }
  noun_ = predictor_ ? ClassNoun(predictor_->class_names()) : ClassNoun();
  showNoun();
  if (canvas_->isEmpty()) {
    result_->showMessage(drawPrompt());
  } else {
    predict();
  }
}

void DrawTab::showNoun() {
  canvas_->setPlaceholderText(noun_.pick(tr("Draw a digit here"), tr("Draw a symbol here")));
  // Number mode reads the digits of a number: with another model it is off, and its tooltip says why.
  const QSignalBlocker blocker(number_);  // unticking it must not read the drawing before the model is in place
  if (!noun_.digits()) number_->setChecked(false);
  samples_->setReadingNumbers(number_->isChecked());
  number_->setEnabled(noun_.digits());
  number_->setToolTip(noun_.digits() ? tr("Write the digits side by side, e.g. 2026") : noun_.numberModeUnavailable());
}

QString DrawTab::drawPrompt() const {
  return noun_.pick(tr("Draw a digit, then press Predict"), tr("Draw a symbol, then press Predict"));
}

bool DrawTab::liveMode() const { return live_->isChecked(); }
void DrawTab::setLiveMode(bool on) { live_->setChecked(on); }
bool DrawTab::numberMode() const { return number_->isChecked(); }
void DrawTab::setNumberMode(bool on) { number_->setChecked(on && number_->isEnabled()); }

void DrawTab::saveSettings(QSettings& settings) const {
  settings.setValue("draw/strokeWidth", strokeWidth_->value());
  settings.setValue("draw/live", live_->isChecked());
  settings.setValue("draw/number", number_->isChecked());
  explain_->saveSettings(settings, "draw");
}

void DrawTab::restoreSettings(const QSettings& settings) {
  strokeWidth_->setValue(settings.value("draw/strokeWidth", canvas_->strokeWidth()).toInt());
  live_->setChecked(settings.value("draw/live", false).toBool());
  setNumberMode(settings.value("draw/number", false).toBool());
  explain_->restoreSettings(settings, "draw");
}

void DrawTab::onCanvasChanged() {
  if (canvas_->isEmpty()) {
    debounce_->stop();
    result_->showMessage(drawPrompt());
    return;
  }
  // The answer shown was for the drawing before this change: read it again, or say it is out of date.
  if (live_->isChecked()) {
    debounce_->start();
  } else {
    result_->markOutOfDate();
  }
}

void DrawTab::clear() {
  debounce_->stop();
  numberHint_->dismiss();
  canvas_->clear();
  result_->showMessage(drawPrompt());
}

void DrawTab::predict() {
  debounce_->stop();
  numberHint_->dismiss();
  if (canvas_->isEmpty()) {
    result_->showMessage(
        noun_.pick(tr("The canvas is empty: draw a digit first"), tr("The canvas is empty: draw a symbol first")));
    return;
  }
  if (!predictor_) {
    result_->showMessage(tr("No model is loaded yet: wait a moment, or use File > Load Model"));
    return;
  }
  try {
    const GrayImage drawing = toGrayImage(canvas_->image(), tr("the drawing"));
    ReadOptions options;
    options.number = number_->isChecked();
    options.preprocess.polarity = InkPolarity::kLightOnDark;  // the canvas is white ink on black
    const ImageReading reading = read_digits(*predictor_, drawing, options);
    if (!reading.found()) {
      result_->showMessage(noun_.pick(tr("No digit found: the strokes are too faint or too small"),
                                      tr("No symbol found: the strokes are too faint or too small")));
      return;
    }
    result_->showReading(reading, options.number);
    explain_->showReading(reading, QSize(drawing.width(), drawing.height()));
    // One digit read from what may be several side by side: the hint offers number mode if they are.
    if (!options.number) numberHint_->check(drawing, options.preprocess);
  } catch (const std::exception& e) {
    result_->showMessage(tr("Cannot read the drawing: %1").arg(QString::fromStdString(e.what())));
  }
}

}  // namespace digitlab::app
