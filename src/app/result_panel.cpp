#include "result_panel.h"

#include "image_convert.h"
#include "image_view.h"
#include "probability_chart.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QTextDocumentFragment>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace digitlab::app {
namespace {

QString percent(float p) { return QString::number(static_cast<double>(p) * 100.0, 'f', 1) + "%"; }

/// The name of class `index`: from `names`, or the index itself when the names do not cover it.
QString className(const std::vector<std::string>& names, int index) {
  return index >= 0 && static_cast<size_t>(index) < names.size()
             ? QString::fromStdString(names[static_cast<size_t>(index)])
             : QString::number(index);
}

}  // namespace

ResultPanel::ResultPanel(QWidget* parent) : QWidget(parent) {
  answerLabel_ = new QLabel(this);
  answerLabel_->setObjectName("answerLabel");
  QFont big = answerLabel_->font();
  big.setPointSizeF(big.pointSizeF() * 4.5);
  big.setBold(true);
  answerLabel_->setFont(big);
  answerLabel_->setAlignment(Qt::AlignCenter);
  // Its font follows the panel's size (scaleAnswer()); a fixed least size keeps a long number or a large font
  // from widening the panel, which would take room from the canvas beside it.
  answerLabel_->setMinimumSize(1, QFontMetrics(big).height());
  answerLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  answerLabel_->setAccessibleName(tr("Predicted digit"));
  smallestAnswerPixels_ = QFontInfo(big).pixelSize();

  confidenceLabel_ = new QLabel(this);
  confidenceLabel_->setAlignment(Qt::AlignCenter);
  confidenceLabel_->setWordWrap(true);
  QFont medium = confidenceLabel_->font();
  medium.setPointSizeF(medium.pointSizeF() * 1.25);
  confidenceLabel_->setFont(medium);
  confidenceLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  top3Label_ = new QLabel(this);
  top3Label_->setAlignment(Qt::AlignCenter);
  top3Label_->setTextFormat(Qt::RichText);
  top3Label_->setWordWrap(true);
  top3Label_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

  inputView_ = new ImageView(tr("Model input 28x28"), /*pixelated=*/true, this);
  inputView_->setMinimumSize(120, 130);

  // Per-digit buttons for a number: each shows its 28x28 input; the chart follows the one checked.
  // A long number scrolls sideways instead of widening the panel.
  auto* strip = new QWidget(this);
  digitStripLayout_ = new QHBoxLayout(strip);
  digitStripLayout_->setContentsMargins(0, 0, 0, 0);
  auto* stripScroll = new QScrollArea(this);
  stripScroll->setWidget(strip);
  stripScroll->setWidgetResizable(true);
  stripScroll->setFrameShape(QFrame::NoFrame);
  stripScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  stripScroll->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  digitStrip_ = stripScroll;
  digitButtons_ = new QButtonGroup(this);
  digitButtons_->setExclusive(true);
  connect(digitButtons_, &QButtonGroup::idClicked, this, [this](int index) {
    showDigit(index);
    Q_EMIT digitPicked(index);
  });
  digitStrip_->hide();

  // Bar chart of the probabilities; the predicted class's bar is highlighted.
  chart_ = new ProbabilityChart(this);
  chart_->setMinimumSize(260, 160);

  top_ = new QHBoxLayout;
  auto* text = new QVBoxLayout;
  text->addWidget(answerLabel_);
  text->addWidget(confidenceLabel_);
  text->addWidget(top3Label_);
  text->addStretch();
  top_->addLayout(text, 3);
  top_->addWidget(inputView_, 2);
  // In a larger window the answer and the 28x28 input grow with the chart, not the chart alone.
  layout_ = new QVBoxLayout(this);
  layout_->addLayout(top_, 2);
  layout_->addWidget(digitStrip_);
  layout_->addWidget(chart_, 3);
  showMessage(tr("No prediction yet"));
}

void ResultPanel::setClassNames(const std::vector<std::string>& names) {
  names_ = names;
  noun_ = ClassNoun(names);
  answerLabel_->setAccessibleName(noun_.pick(tr("Predicted digit"), tr("Predicted symbol")));
  chart_->setClassNames(names);
  charted_.assign(names.size(), 0.0f);
}

void ResultPanel::setInputViewVisible(bool visible) {
  inputView_->setVisible(visible);
  // Without the input view the answer needs no more height than its text; the chart takes the rest.
  layout_->setStretchFactor(top_, visible ? 2 : 0);
}

void ResultPanel::markOutOfDate() {
  if (answer_.isEmpty() || outOfDate_) return;
  outOfDate_ = true;
  answerLabel_->setEnabled(false);
  confidenceLabel_->setText(tr("Out of date: the drawing changed since. Press Predict to read it again."));
  Q_EMIT updated();
}

void ResultPanel::showMessage(const QString& message) {
  outOfDate_ = false;
  answerLabel_->setEnabled(true);
  readings_.clear();
  answer_.clear();
  message_ = message;
  answerLabel_->setText(QStringLiteral("–"));
  scaleAnswer();
  confidenceLabel_->setText(message);
  top3Label_->clear();
  inputView_->setImage({});
  digitStrip_->hide();
  setChart(nullptr);
  Q_EMIT updated();
}

void ResultPanel::showReading(const ImageReading& reading, bool number) {
  if (!reading.found()) {
    showMessage(noun_.pick(tr("No digit found"), tr("No symbol found")));
    return;
  }
  outOfDate_ = false;
  answerLabel_->setEnabled(true);
  readings_.clear();
  for (const DigitReading& d : reading.digits) readings_.push_back({toQImage(d.input.input28), d.prediction});
  message_.clear();
  answer_ = QString::fromStdString(reading.text());

  // The buttons of the last number go; a number gets one per digit.
  for (QAbstractButton* button : digitButtons_->buttons()) {
    digitButtons_->removeButton(button);
    delete button;
  }
  digitStrip_->setVisible(number);
  const int leastSure = reading.least_sure();
  for (size_t i = 0; number && i < readings_.size(); ++i) {
    auto* button = new QToolButton(digitStrip_);
    button->setCheckable(true);
    button->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    button->setIcon(QPixmap::fromImage(readings_[i].input28.scaled(56, 56)));
    button->setIconSize(QSize(56, 56));
    button->setText(QString("%1  %2").arg(className(names_, readings_[i].prediction.label),
                                          percent(readings_[i].prediction.confidence())));
    button->setToolTip(tr("Show the probabilities of digit %1 of the number").arg(i + 1));
    digitButtons_->addButton(button, static_cast<int>(i));
    digitStripLayout_->addWidget(button);
  }
  if (number) digitStripLayout_->addStretch();
  if (number) {
    // Room for the buttons and for the scroll bar under them, when they do not fit.
    const int buttonHeight = digitButtons_->buttons().front()->sizeHint().height();
    digitStrip_->setFixedHeight(buttonHeight + digitStrip_->horizontalScrollBar()->sizeHint().height());
  }

  answerLabel_->setText(answer_);
  scaleAnswer();
  if (number) {
    const float least = reading.confidence();
    const QString count = readings_.size() == 1 ? tr("1 digit") : tr("%1 digits").arg(readings_.size());
    confidenceLabel_->setText(least < kUnsureBelow
                                  ? tr("%1, unsure: the least certain digit has %2").arg(count, percent(least))
                                  : tr("%1, least certain digit %2").arg(count, percent(least)));
    if (auto* button = digitButtons_->button(leastSure)) button->setChecked(true);
  }
  showDigit(number ? leastSure : 0);
  Q_EMIT updated();
}

void ResultPanel::showDigit(int index) {
  if (index < 0 || static_cast<size_t>(index) >= readings_.size()) return;
  const ShownDigit& r = readings_[static_cast<size_t>(index)];
  inputView_->setImage(r.input28);
  setChart(&r.prediction);
  QStringList top;
  for (const int d : top_classes(r.prediction, 3)) {
    // A line may break between entries, never inside one.
    top << QString("<b>%1</b>&nbsp;%2")
               .arg(className(names_, d).toHtmlEscaped(), percent(r.prediction.probabilities[static_cast<size_t>(d)]));
  }
  const QString prefix = readings_.size() > 1 ? tr("Digit %1, top 3: ").arg(index + 1) : tr("Top 3: ");
  top3Label_->setText(prefix + top.join(QStringLiteral(" &nbsp;·&nbsp; ")));
  if (readings_.size() == 1 && digitStrip_->isHidden()) {
    const float c = r.prediction.confidence();
    confidenceLabel_->setText(c < kUnsureBelow ? tr("%1 confident: unsure, try drawing it again").arg(percent(c))
                                               : tr("%1 confident").arg(percent(c)));
  }
}

void ResultPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  scaleAnswer();
}

void ResultPanel::scaleAnswer() {
  // About a ninth of the panel's height, never smaller than at first unless the digits would not fit across.
  const int characters = std::max<int>(1, static_cast<int>(answerLabel_->text().size()));
  const double fits = width() * 0.9 / (0.62 * characters);
  const double wanted = std::max(height() * 0.11, static_cast<double>(smallestAnswerPixels_));
  const int pixels = std::clamp(static_cast<int>(std::min({wanted, fits, 240.0})), 12, 240);
  if (pixels == answerLabel_->font().pixelSize()) return;
  QFont font = answerLabel_->font();
  font.setPixelSize(pixels);
  answerLabel_->setFont(font);
}

int ResultPanel::answerPixelSize() const { return QFontInfo(answerLabel_->font()).pixelSize(); }

QString ResultPanel::topThree() const { return QTextDocumentFragment::fromHtml(top3Label_->text()).toPlainText(); }

void ResultPanel::setChart(const Prediction* prediction) {
  charted_.assign(names_.empty() ? 10 : names_.size(), 0.0f);
  if (prediction == nullptr) {
    chart_->setProbabilities({}, -1);
    return;
  }
  std::copy_n(prediction->probabilities.begin(), std::min(prediction->probabilities.size(), charted_.size()),
              charted_.begin());
  chart_->setProbabilities(prediction->probabilities, prediction->label);
}

}  // namespace digitlab::app
