#include "result_panel.h"

#include "image_convert.h"
#include "image_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QButtonGroup>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace digitlab::app {
namespace {

QString percent(float p) { return QString::number(static_cast<double>(p) * 100.0, 'f', 1) + "%"; }

}  // namespace

ResultPanel::ResultPanel(QWidget* parent) : QWidget(parent) {
  answerLabel_ = new QLabel(this);
  answerLabel_->setObjectName("answerLabel");
  QFont big = answerLabel_->font();
  big.setPointSizeF(big.pointSizeF() * 4.5);
  big.setBold(true);
  answerLabel_->setFont(big);
  answerLabel_->setAlignment(Qt::AlignCenter);
  answerLabel_->setMinimumHeight(QFontMetrics(big).height());
  answerLabel_->setAccessibleName(tr("Predicted digit"));

  confidenceLabel_ = new QLabel(this);
  confidenceLabel_->setAlignment(Qt::AlignCenter);
  confidenceLabel_->setWordWrap(true);
  QFont medium = confidenceLabel_->font();
  medium.setPointSizeF(medium.pointSizeF() * 1.25);
  confidenceLabel_->setFont(medium);
  top3Label_ = new QLabel(this);
  top3Label_->setAlignment(Qt::AlignCenter);
  top3Label_->setTextFormat(Qt::RichText);

  inputView_ = new ImageView(tr("Model input 28x28"), /*pixelated=*/true, this);
  inputView_->setMinimumSize(140, 160);

  // Per-digit buttons for a number: each shows its 28x28 input; the chart follows the one checked.
  digitStrip_ = new QWidget(this);
  digitStripLayout_ = new QHBoxLayout(digitStrip_);
  digitStripLayout_->setContentsMargins(0, 0, 0, 0);
  digitButtons_ = new QButtonGroup(this);
  digitButtons_->setExclusive(true);
  connect(digitButtons_, &QButtonGroup::idClicked, this, [this](int index) {
    showDigit(index);
    Q_EMIT digitPicked(index);
  });
  digitStrip_->hide();

  // Bar chart of the ten probabilities; the predicted digit's bar is highlighted.
  bars_ = new QBarSet(tr("Probability"));
  bars_->setColor(QColor(88, 166, 255));
  bars_->setSelectedColor(QColor(63, 185, 80));
  for (int d = 0; d < 10; ++d) bars_->append(0.0);
  auto* series = new QBarSeries;
  series->append(bars_);
  series->setBarWidth(0.8);
  auto* chart = new QChart;
  chart->addSeries(series);
  chart->legend()->hide();
  chart->setTitle(tr("Probability of each digit"));
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* digitsAxis = new QBarCategoryAxis;
  for (int d = 0; d < 10; ++d) digitsAxis->append(QString::number(d));
  auto* percentAxis = new QValueAxis;
  percentAxis->setRange(0, 100);
  percentAxis->setLabelFormat("%d%%");
  percentAxis->setTickCount(6);
  chart->addAxis(digitsAxis, Qt::AlignBottom);
  chart->addAxis(percentAxis, Qt::AlignLeft);
  series->attachAxis(digitsAxis);
  series->attachAxis(percentAxis);
  auto* chartView = new QChartView(chart, this);
  chartView->setRenderHint(QPainter::Antialiasing);
  chartView->setMinimumSize(260, 200);

  auto* top = new QHBoxLayout;
  auto* text = new QVBoxLayout;
  text->addWidget(answerLabel_);
  text->addWidget(confidenceLabel_);
  text->addWidget(top3Label_);
  text->addStretch();
  top->addLayout(text, 3);
  top->addWidget(inputView_, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(digitStrip_);
  layout->addWidget(chartView, 1);
  showMessage(tr("No prediction yet"));
}

void ResultPanel::setInputViewVisible(bool visible) { inputView_->setVisible(visible); }

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
  confidenceLabel_->setText(message);
  top3Label_->clear();
  inputView_->setImage({});
  digitStrip_->hide();
  setChart(nullptr);
  Q_EMIT updated();
}

void ResultPanel::showReading(const ImageReading& reading, bool number) {
  if (!reading.found()) {
    showMessage(tr("No digit found"));
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
    button->setText(
        QString("%1  %2").arg(readings_[i].prediction.label).arg(percent(readings_[i].prediction.confidence())));
    button->setToolTip(tr("Show the probabilities of digit %1 of the number").arg(i + 1));
    digitButtons_->addButton(button, static_cast<int>(i));
    digitStripLayout_->addWidget(button);
  }
  if (number) digitStripLayout_->addStretch();

  answerLabel_->setText(answer_);
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
    top << QString("<b>%1</b> %2").arg(d).arg(percent(r.prediction.probabilities[static_cast<size_t>(d)]));
  }
  const QString prefix = readings_.size() > 1 ? tr("Digit %1, top 3: ").arg(index + 1) : tr("Top 3: ");
  top3Label_->setText(prefix + top.join(QStringLiteral(" &nbsp;·&nbsp; ")));
  if (readings_.size() == 1 && digitStrip_->isHidden()) {
    const float c = r.prediction.confidence();
    confidenceLabel_->setText(c < kUnsureBelow ? tr("%1 confident: unsure, try drawing it again").arg(percent(c))
                                               : tr("%1 confident").arg(percent(c)));
  }
}

void ResultPanel::setChart(const Prediction* prediction) {
  bars_->deselectAllBars();
  static const std::vector<float> kNone;
  const std::vector<float>& probabilities = prediction != nullptr ? prediction->probabilities : kNone;
  for (int d = 0; d < 10; ++d) {
    const float p = static_cast<size_t>(d) < probabilities.size() ? probabilities[static_cast<size_t>(d)] : 0.0f;
    charted_[static_cast<size_t>(d)] = p;
    bars_->replace(d, p * 100.0);
  }
  if (prediction != nullptr) bars_->selectBar(prediction->label);
}

}  // namespace digitlab::app
