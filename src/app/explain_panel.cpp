#include "explain_panel.h"

#include "heat_image.h"
#include "image_convert.h"
#include "image_view.h"
#include "probability_chart.h"
#include "result_panel.h"

#include <digitlab/heatmap.h>

#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSettings>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace digitlab::app {
namespace {

QString displayName(ExplainMethod method) {
  switch (method) {
    case ExplainMethod::kSmoothGrad:
      return QObject::tr("SmoothGrad");
    case ExplainMethod::kGradCam:
      return QObject::tr("Grad-CAM");
    default:
      return QObject::tr("Occlusion");
  }
}

/// The 28x28 `input` with `map`'s heat over it, at `opacity`.
QImage mapOver(const GrayImage& input, const std::vector<float>& map, double opacity) {
  return composeHeat(toQImage(input), heatToQImage(heat(map), input.width(), input.height()), opacity);
}

}  // namespace

ExplainPanel::ExplainPanel(ResultPanel* result, QWidget* parent)
    : QWidget(parent), result_(result), service_(new ExplainService(this)) {
  buildControls();
  connect(service_, &ExplainService::ready, this, &ExplainPanel::onReady);
  connect(result_, &ResultPanel::digitPicked, this, [this](int index) {
    focus_ = index;
    target_ = -1;
    if (isOn()) request();
  });
  result_->chart()->viewport()->installEventFilter(this);
  result_->chart()->setToolTip(tr("Click a bar to see where the model found evidence for that class"));
}

void ExplainPanel::buildControls() {
  toggle_ = new QCheckBox(tr("Show &where it looked"), this);
  toggle_->setObjectName("explainToggle");
  toggle_->setToolTip(tr("Colour the areas of the input that counted most for the answer"));
  method_ = new QComboBox(this);
  method_->setObjectName("explainMethod");
  for (const ExplainMethod m : {ExplainMethod::kOcclusion, ExplainMethod::kSmoothGrad, ExplainMethod::kGradCam})
    method_->addItem(displayName(m), static_cast<int>(m));
  method_->setToolTip(
      tr("How the map is made: Occlusion works for every model; SmoothGrad and Grad-CAM need "
         "DigitLab's own models"));
  method_->setAccessibleName(tr("Explanation method"));
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setObjectName("explainOpacity");
  opacity_->setRange(10, 100);
  opacity_->setValue(60);
  opacity_->setAccessibleName(tr("Map opacity"));
  auto* opacityLabel = new QLabel(tr("&Opacity:"), this);
  opacityLabel->setBuddy(opacity_);
  auto* legendBar = new QLabel(this);
  legendBar->setPixmap(heatLegend(72, 10));
  legendBar->setToolTip(tr("less ← → more evidence for the class explained"));
  methodLabel_ = new QLabel(this);
  methodLabel_->setObjectName("explainMethodUsed");
  methodLabel_->setWordWrap(true);
  methodLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  for (auto& view : maps_) {
    view = new ImageView(QString(), /*pixelated=*/true, this);
    view->setMinimumSize(96, 110);
    view->setMaximumHeight(124);
  }

  auto* top = new QHBoxLayout;
  top->setContentsMargins(0, 0, 0, 0);
  top->addWidget(toggle_);
  top->addStretch();
  top->addWidget(method_);
  auto* look = new QHBoxLayout;
  look->addWidget(opacityLabel);
  look->addWidget(opacity_, 1);
  look->addSpacing(8);
  look->addWidget(new QLabel(tr("less"), this));
  look->addWidget(legendBar);
  look->addWidget(new QLabel(tr("more evidence"), this));
  auto* mapsRow = new QHBoxLayout;
  mapsRow->addWidget(maps_[0], 1);
  mapsRow->addWidget(maps_[1], 1);
  details_ = new QWidget(this);
  auto* detailsLayout = new QVBoxLayout(details_);
  detailsLayout->setContentsMargins(0, 0, 0, 0);
  detailsLayout->addLayout(look);
  detailsLayout->addWidget(methodLabel_);
  detailsLayout->addLayout(mapsRow);
  details_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(top);
  layout->addWidget(details_);

  connect(toggle_, &QCheckBox::toggled, this, [this](bool on) {
    details_->setVisible(on);
    if (on) {
      request();
    } else {
      service_->cancel();
      hideMaps();
    }
  });
  connect(method_, &QComboBox::currentIndexChanged, this, [this] { request(); });
  connect(opacity_, &QSlider::valueChanged, this, [this] {
    Q_EMIT heatOnOriginalChanged(heatOnOriginal_, opacity());
    if (shown_) showMaps();
    paintInputView();
  });
}

void ExplainPanel::setPredictor(std::shared_ptr<const Predictor> predictor) {
  predictor_ = std::move(predictor);
  service_->setPredictor(predictor_);
}

bool ExplainPanel::isOn() const { return toggle_->isChecked(); }
void ExplainPanel::setOn(bool on) { toggle_->setChecked(on); }
double ExplainPanel::opacity() const { return opacity_->value() / 100.0; }

ExplainMethod ExplainPanel::method() const { return static_cast<ExplainMethod>(method_->currentData().toInt()); }

void ExplainPanel::setMethod(ExplainMethod method) {
  const int index = method_->findData(static_cast<int>(method));
  if (index >= 0) method_->setCurrentIndex(index);
}

void ExplainPanel::showReading(const ImageReading& reading, QSize original) {
  reading_ = reading;
  original_ = original;
  focus_ = reading.digits.size() > 1 ? reading.least_sure() : 0;
  target_ = -1;
  hideMaps();
  request();
}

void ExplainPanel::clear() {
  reading_ = ImageReading();
  service_->cancel();
  hideMaps();
}

void ExplainPanel::explainClass(int c) {
  if (!reading_.found()) return;
  target_ = c;
  if (isOn()) {
    request();
  } else {
    setOn(true);
  }
}

void ExplainPanel::request() {
  if (!isOn() || !reading_.found() || !predictor_) return;
  methodLabel_->setText(tr("Looking where the model found its evidence…"));
  ExplainJob job;
  job.reading = reading_;
  job.focus = focus_;
  job.target = target_;
  job.method = method();
  job.original = original_;
  service_->request(std::move(job));
}

void ExplainPanel::onReady(const ExplainOutcome& outcome) {
  if (!outcome.error.isEmpty()) {
    methodLabel_->setText(tr("Cannot explain this answer: %1").arg(outcome.error));
    return;
  }
  if (static_cast<size_t>(focus_) >= outcome.digits.size()) return;
  outcome_ = outcome;
  shown_ = true;
  heatOnOriginal_ = outcome_.heatOnOriginal;
  showMaps();
  paintInputView();
  Q_EMIT heatOnOriginalChanged(heatOnOriginal_, opacity());
  Q_EMIT explained();
}

void ExplainPanel::showMaps() {
  const Explanation& e = outcome_.digits[static_cast<size_t>(focus_)];
  const GrayImage& input = reading_.digits[static_cast<size_t>(focus_)].input.input28;
  shownTarget_ = e.target;
  methodUsed_ = displayName(e.method);
  QString said = tr("Made with %1.").arg(methodUsed_);
  if (!e.note.empty()) said += QStringLiteral(" ") + QString::fromStdString(e.note);
  methodLabel_->setText(said);
  methodLabel_->setToolTip(said);
  const bool pair = outcome_.pair.size() == 2;
  if (pair) {
    for (size_t i = 0; i < 2; ++i) {
      const Explanation& p = outcome_.pair[i];
      maps_[i]->setCaption(tr("Why %1, not %2").arg(nameOf(p.target), nameOf(p.versus)));
      maps_[i]->setImage(mapOver(input, p.map, opacity()));
    }
  } else {
    maps_[0]->setCaption(tr("Why %1").arg(nameOf(e.target)));
    maps_[0]->setImage(mapOver(input, e.map, opacity()));
  }
  maps_[1]->setVisible(pair);
}

void ExplainPanel::hideMaps() {
  const bool had = shown_ || !heatOnOriginal_.isNull();
  shown_ = false;
  shownTarget_ = -1;
  methodUsed_.clear();
  heatOnOriginal_ = QImage();
  outcome_ = ExplainOutcome();
  for (ImageView* view : maps_) {
    view->setImage({});
    view->setCaption(QString());
  }
  maps_[1]->hide();
  methodLabel_->clear();
  paintInputView();
  if (had) Q_EMIT heatOnOriginalChanged(QImage(), opacity());
}

void ExplainPanel::paintInputView() {
  if (inputView_ == nullptr || reading_.digits.empty()) return;
  const size_t n = reading_.digits.size();
  if (inputShows_ == InputView::kOneDigit && n != 1) return;
  std::vector<QImage> inputs;
  for (size_t i = 0; i < n; ++i) {
    const GrayImage& input = reading_.digits[i].input.input28;
    inputs.push_back(shown_ && i < outcome_.digits.size() ? mapOver(input, outcome_.digits[i].map, opacity())
                                                          : toQImage(input));
  }
  inputView_->setImage(inputShows_ == InputView::kEveryDigit ? inputStrip(inputs) : inputs.front());
}

int ExplainPanel::mapsShown() const {
  if (!shown_) return 0;
  return maps_[1]->isVisibleTo(this) ? 2 : 1;
}

QStringList ExplainPanel::mapCaptions() const {
  QStringList captions;
  for (int i = 0; i < mapsShown(); ++i) captions << maps_[static_cast<size_t>(i)]->caption();
  return captions;
}

QString ExplainPanel::nameOf(int c) const {
  if (predictor_ && c >= 0 && c < static_cast<int>(predictor_->class_names().size()))
    return QString::fromStdString(predictor_->class_names()[static_cast<size_t>(c)]);
  return QString::number(c);
}

bool ExplainPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == result_->chart()->viewport() && event->type() == QEvent::MouseButtonPress) {
    const auto* press = static_cast<QMouseEvent*>(event);
    const int c = press->button() == Qt::LeftButton ? classAtChart(press->position().toPoint()) : -1;
    if (c >= 0) explainClass(c);
  }
  return QWidget::eventFilter(watched, event);
}

int ExplainPanel::classAtChart(const QPoint& viewportPos) const {
  const ProbabilityChart* view = result_->chart();
  QChart* chart = view->chart();
  if (chart->series().isEmpty()) return -1;
  const QPointF inChart = chart->mapFromScene(view->mapToScene(viewportPos));
  if (!chart->plotArea().contains(inChart)) return -1;
  // Anywhere in a bar's column counts, so that the bar of an unlikely class (nearly zero high) can be clicked.
  const int bar = qRound(chart->mapToValue(inChart, chart->series().front()).x());
  const std::vector<float> p = result_->chartedProbabilities();
  if (bar < 0 || bar >= static_cast<int>(view->barLabels().size())) return -1;
  if (p.size() <= static_cast<size_t>(ProbabilityChart::kMostBars)) return bar;
  // Many classes: the chart shows the most probable ones best first, then "rest".
  std::vector<int> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&p](int a, int b) { return p[a] > p[b]; });
  return bar < ProbabilityChart::kMostBars - 1 ? order[static_cast<size_t>(bar)] : -1;
}

void ExplainPanel::saveSettings(QSettings& settings, const QString& group) const {
  settings.setValue(group + "/explain", isOn());
  settings.setValue(group + "/explainMethod", QString::fromStdString(method_name(method())));
  settings.setValue(group + "/explainOpacity", opacity_->value());
}

void ExplainPanel::restoreSettings(const QSettings& settings, const QString& group) {
  try {
    setMethod(parse_method(settings.value(group + "/explainMethod", "occlusion").toString().toStdString()));
  } catch (const std::exception&) {
    setMethod(ExplainMethod::kOcclusion);
  }
  opacity_->setValue(settings.value(group + "/explainOpacity", 60).toInt());
  setOn(settings.value(group + "/explain", false).toBool());
}

}  // namespace digitlab::app
