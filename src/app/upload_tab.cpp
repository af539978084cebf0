#include "upload_tab.h"

#include "error_banner.h"
#include "error_text.h"
#include "explain_panel.h"
#include "heat_image.h"
#include "image_convert.h"
#include "image_view.h"
#include "number_hint.h"
#include "result_panel.h"

#include <digitlab/digit_reader.h>
#include <digitlab/image_loader.h>
#include <digitlab/predictor.h>

#include <QCheckBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

namespace digitlab::app {
namespace {

/// The digits' 28x28 inputs side by side, for the last stage of a number.
QImage sideBySide(const std::vector<DigitReading>& digits) {
  std::vector<QImage> inputs;
  for (const DigitReading& d : digits) inputs.push_back(toQImage(d.input.input28));
  return inputStrip(inputs);
}

/// The ink of every digit of a number in one mask (each digit's mask holds only its own ink); digits looked at
/// again at a finer resolution have masks of another size, and are left out.
QImage combinedInk(const std::vector<DigitReading>& digits) {
  const GrayImage& first = digits.front().input.ink_mask;
  GrayImage all(first.width(), first.height());
  for (const DigitReading& d : digits) {
    const GrayImage& mask = d.input.ink_mask;
    if (mask.width() != all.width() || mask.height() != all.height()) continue;
    for (size_t i = 0; i < mask.size(); ++i) all.data()[i] = std::max(all.data()[i], mask.data()[i]);
  }
  return toQImage(all);
}

/// The original with a green frame around each digit found.
QImage withBoxes(const QImage& original, const std::vector<DigitReading>& digits) {
  QImage framed = original.convertToFormat(QImage::Format_RGB32);
  QPainter painter(&framed);
  QPen pen(QColor(63, 185, 80));
  pen.setWidthF(std::max(2.0, framed.width() / 150.0));
  painter.setPen(pen);
  for (const DigitReading& d : digits)
    painter.drawRect(d.input.box.x, d.input.box.y, d.input.box.width, d.input.box.height);
  return framed;
}

}  // namespace

UploadTab::UploadTab(QWidget* parent) : QWidget(parent) {
  auto* open = new QPushButton(tr("&Open image…"), this);
  hint_ = new QLabel(this);
  hint_->setWordWrap(true);
  number_ = new QCheckBox(tr("Read a &number (several digits)"), this);
  numberHint_ = new NumberHint(this);
  error_ = new ErrorBanner(this);

  const char* captions[] = {QT_TR_NOOP("Original"), QT_TR_NOOP("Grayscale"), QT_TR_NOOP("Ink found"),
                            QT_TR_NOOP("Digit cropped"), QT_TR_NOOP("Model input 28x28")};
  auto* stagesRow = new QWidget(this);
  auto* stagesLayout = new QHBoxLayout(stagesRow);
  stagesLayout->setContentsMargins(0, 0, 0, 0);
  for (size_t i = 0; i < stages_.size(); ++i) {
    stages_[i] = new ImageView(tr(captions[i]), /*pixelated=*/i == stages_.size() - 1, stagesRow);
    stagesLayout->addWidget(stages_[i], 1);
  }
  result_ = new ResultPanel(this);
  // Picking a digit of a number shows the ink found for that digit.
  connect(result_, &ResultPanel::digitPicked, this, [this](int index) {
    if (index < 0 || static_cast<size_t>(index) >= inkMasks_.size()) return;
    stages_[2]->setCaption(tr("Ink found: digit %1").arg(index + 1));
    stages_[2]->setImage(inkMasks_[static_cast<size_t>(index)]);
  });
  result_->setInputViewVisible(false);  // the last stage shows it

  explain_ = new ExplainPanel(result_, this);
  explain_->setInputView(stages_[4], ExplainPanel::InputView::kEveryDigit);
  connect(explain_, &ExplainPanel::heatOnOriginalChanged, this, [this](const QImage& heat, double opacity) {
    if (!original_.isNull()) stages_[0]->setImage(heat.isNull() ? original_ : composeHeat(original_, heat, opacity));
  });
  connect(open, &QPushButton::clicked, this, &UploadTab::openRequested);
  connect(number_, &QCheckBox::toggled, this, [this] { analyse(); });
  connect(numberHint_, &NumberHint::numberModeRequested, this, [this] { setNumberMode(true); });

  auto* top = new QHBoxLayout;
  top->addWidget(open);
  top->addWidget(hint_, 1);
  top->addWidget(number_);
  // The maps beside the result, not under it: a number's result is already as tall as a laptop screen allows.
  auto* resultRow = new QWidget(this);
  auto* resultLayout = new QHBoxLayout(resultRow);
  resultLayout->setContentsMargins(0, 0, 0, 0);
  auto* explainColumn = new QVBoxLayout;
  explainColumn->addWidget(explain_);
  explainColumn->addStretch();
  resultLayout->addWidget(result_, 1);
  resultLayout->addLayout(explainColumn);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(stagesRow);
  splitter->addWidget(resultRow);
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  splitter->setChildrenCollapsible(false);
  // Whatever the fonts, the tab never makes the window taller than the screen: past its least height it scrolls.
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName("uploadScroll");
  scroll->setWidget(splitter);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(numberHint_);
  layout->addWidget(error_);
  layout->addWidget(scroll, 1);
  showNoun();
  result_->showMessage(openPrompt());
}

void UploadTab::setPredictor(std::shared_ptr<const Predictor> predictor) {
  predictor_ = std::move(predictor);
  if (predictor_) result_->setClassNames(predictor_->class_names());
  explain_->setPredictor(predictor_);
  numberHint_->setPredictor(predictor_);
  noun_ = predictor_ ? ClassNoun(predictor_->class_names()) : ClassNoun();
  showNoun();
  if (image_.empty() && error_->message().isEmpty()) result_->showMessage(openPrompt());
  analyse();
}

void UploadTab::showNoun() {
  hint_->setText(
      noun_.pick(tr("or drop a photo or scan of a digit anywhere on the window, or paste one with Ctrl+V"),
                 tr("or drop a photo or scan of a symbol anywhere on the window, or paste one with Ctrl+V")));
  // Number mode reads the digits of a number: with another model it is off, and its tooltip says why.
  const QSignalBlocker blocker(number_);  // the caller reads the image again once the model is in place
  if (!noun_.digits()) number_->setChecked(false);
  number_->setEnabled(noun_.digits());
  number_->setToolTip(noun_.numberModeUnavailable());
  if (!number_->isChecked()) stages_[3]->setCaption(noun_.pick(tr("Digit cropped"), tr("Symbol cropped")));
}

QString UploadTab::openPrompt() const {
  return noun_.pick(tr("Open, drop or paste an image of a handwritten digit"),
                    tr("Open, drop or paste an image of a handwritten symbol"));
}

QString UploadTab::error() const { return error_->message(); }

void UploadTab::setNumberMode(bool on) { number_->setChecked(on && number_->isEnabled()); }

void UploadTab::saveSettings(QSettings& settings) const {
  settings.setValue("upload/number", number_->isChecked());
  explain_->saveSettings(settings, "upload");
}

void UploadTab::restoreSettings(const QSettings& settings) {
  setNumberMode(settings.value("upload/number", false).toBool());
  explain_->restoreSettings(settings, "upload");
}

bool UploadTab::openFile(const QString& path) {
  const QString name = QFileInfo(path).fileName();
  GrayImage image;
  try {
    image = load_image(path.toStdString());
  } catch (const std::exception& e) {
    showError(describeImageError(path, QString::fromStdString(e.what())));
    return false;
  }
  // The original in colour for display, upright as the core reads it; the core's grayscale if Qt cannot decode it.
  QImageReader reader(path);
  reader.setAutoTransform(true);
  QImage original = reader.read();
  if (original.isNull() || original.size() != QSize(image.width(), image.height())) original = toQImage(image);
  show(image, original, name);
  return true;
}

bool UploadTab::openImage(const QImage& image, const QString& name) {
  try {
    show(toGrayImage(image, name), image, name);
    return true;
  } catch (const std::exception& e) {
    showError(describeImageDataError(name, QString::fromStdString(e.what())));
    return false;
  }
}

void UploadTab::show(const GrayImage& image, const QImage& original, const QString& name) {
  error_->clearMessage();
  image_ = image;
  original_ = original;
  name_ = name;
  stages_[0]->setCaption(tr("Original: %1").arg(name));
  Q_EMIT imageChanged(name);
  analyse();
}

void UploadTab::showError(const ErrorText& error) {
  numberHint_->dismiss();
  error_->showMessage(error.summary, error.details);
  image_ = GrayImage();
  original_ = QImage();
  name_.clear();
  for (ImageView* view : stages_) view->setImage({});
  stages_[0]->setCaption(tr("Original"));
  Q_EMIT imageChanged(QString());
  explain_->clear();
  result_->showMessage(tr("No image"));
}

void UploadTab::analyse() {
  if (image_.empty()) return;
  explain_->clear();
  numberHint_->dismiss();
  const bool number = number_->isChecked();
  stages_[0]->setImage(original_);
  stages_[3]->setCaption(number ? tr("Digits found") : noun_.pick(tr("Digit cropped"), tr("Symbol cropped")));
  stages_[4]->setCaption(number ? tr("Model inputs 28x28") : tr("Model input 28x28"));
  try {
    ReadOptions options;
    options.number = number;
    // With a model, read the digits; without one, still show what preprocessing finds.
    const ImageReading reading = predictor_ ? read_digits(*predictor_, image_, options) : find_digits(image_, options);
    if (!reading.found()) {
      stages_[1]->setImage(toQImage(reading.not_found.grayscale));
      for (int i = 2; i < 5; ++i) stages_[static_cast<size_t>(i)]->setImage({});
      result_->showMessage(tr("Nothing to read in %1: %2").arg(name_, QString::fromStdString(reading.reason())));
      return;
    }
    const PreprocessResult& first = reading.digits.front().input;
    stages_[1]->setImage(toQImage(first.grayscale));
    inkMasks_.clear();
    for (const DigitReading& d : reading.digits) inkMasks_.push_back(toQImage(d.input.ink_mask));
    stages_[2]->setCaption(tr("Ink found"));
    stages_[2]->setImage(number ? combinedInk(reading.digits) : inkMasks_.front());
    stages_[3]->setImage(number ? withBoxes(original_, reading.digits) : toQImage(first.cropped));
    stages_[4]->setImage(number ? sideBySide(reading.digits) : toQImage(first.input28));
    if (!predictor_) {
      result_->showMessage(tr("No model is loaded yet: wait a moment, or use File > Load Model"));
      return;
    }
    result_->showReading(reading, number);
    explain_->showReading(reading, QSize(image_.width(), image_.height()));
    // One digit read from what may be a number: the hint offers number mode if it is one.
    if (!number) numberHint_->check(image_, options.preprocess);
  } catch (const std::exception& e) {
    showError(describeImageDataError(name_, QString::fromStdString(e.what())));
  }
}

}  // namespace digitlab::app
