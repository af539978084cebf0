#include "probability_chart.h"

#include "class_noun.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QValueAxis>

#include <algorithm>
#include <numeric>

namespace digitlab::app {
namespace {

/// A label short enough to sit under a bar of a narrow chart; the full name is in the top 3 and the answer.
QString barLabel(const std::string& name) {
  constexpr int kLongestLabel = 7;
  const QString text = QString::fromStdString(name);
  return text.size() <= kLongestLabel ? text : text.left(kLongestLabel - 1) + QStringLiteral("…");
}

}  // namespace

ProbabilityChart::ProbabilityChart(QWidget* parent) : QChartView(parent) {
  bars_ = new QBarSet(tr("Probability"));
  bars_->setColor(QColor(88, 166, 255));
  bars_->setSelectedColor(QColor(63, 185, 80));
  auto* series = new QBarSeries;
  series->append(bars_);
  series->setBarWidth(0.8);
  auto* chart = new QChart;
  chart->addSeries(series);
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  classAxis_ = new QBarCategoryAxis;
  auto* percentAxis = new QValueAxis;
  percentAxis->setRange(0, 100);
  percentAxis->setLabelFormat("%d%%");
  percentAxis->setTickCount(6);
  chart->addAxis(classAxis_, Qt::AlignBottom);
  chart->addAxis(percentAxis, Qt::AlignLeft);
  series->attachAxis(classAxis_);
  series->attachAxis(percentAxis);
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  std::vector<std::string> digits;
  for (int d = 0; d < 10; ++d) digits.push_back(std::to_string(d));
  setClassNames(digits);
}

QString ProbabilityChart::title() const { return chart()->title(); }

QString ProbabilityChart::titleFor(int classes) const {
  if (ClassNoun::areDigits(names_)) return tr("Probability of each digit");
  if (classes <= kMostBars) return tr("Probability of each class");
  return tr("The %1 most probable of %2 classes").arg(kMostBars - 1).arg(classes);
}

void ProbabilityChart::setClassNames(const std::vector<std::string>& names) {
  names_ = names;
  chart()->setTitle(titleFor(static_cast<int>(names_.size())));
  setProbabilities({}, -1);
}

void ProbabilityChart::setProbabilities(const std::vector<float>& probabilities, int selected) {
  const int classes = static_cast<int>(names_.size());
  std::vector<float> p(names_.size(), 0.0f);
  std::copy_n(probabilities.begin(), std::min(probabilities.size(), p.size()), p.begin());
  // Which classes get a bar of their own: all of them, or the most probable, best first (ties by index).
  std::vector<int> order(names_.size());
  std::iota(order.begin(), order.end(), 0);
  const bool summed = classes > kMostBars;
  if (summed) {
    std::stable_sort(order.begin(), order.end(), [&p](int a, int b) { return p[a] > p[b]; });
    order.resize(kMostBars - 1);
  }
  QStringList labels;
  std::vector<float> values;
  int selectedBar = -1;
  for (const int c : order) {
    if (c == selected) selectedBar = static_cast<int>(values.size());
    labels << barLabel(names_[static_cast<size_t>(c)]);
    values.push_back(p[static_cast<size_t>(c)]);
  }
  if (summed) {
    const float shown = std::accumulate(values.begin(), values.end(), 0.0f);
    const float all = std::accumulate(p.begin(), p.end(), 0.0f);
    labels << tr("rest");  // short enough to stay whole under a narrow bar
    values.push_back(std::max(0.0f, all - shown));
  }
  showBars(labels, values, selectedBar);
}

void ProbabilityChart::showBars(const QStringList& labels, const std::vector<float>& values, int selectedBar) {
  bars_->deselectAllBars();
  if (labels != labels_) {
    // The category axis wants unique labels; two names cut to the same label get a zero-width space apart.
    QStringList unique;
    for (const QString& label : labels) {
      QString text = label;
      while (unique.contains(text)) text += QChar(0x200B);
      unique << text;
    }
    classAxis_->setCategories(unique);
    // Names longer than a digit or two do not fit side by side under narrow bars: they stand upright instead.
    const bool longNames = std::any_of(labels.begin(), labels.end(), [](const QString& l) { return l.size() > 3; });
    classAxis_->setLabelsAngle(longNames ? -90 : 0);
    labels_ = labels;
  }
  if (bars_->count() != static_cast<int>(values.size())) {
    bars_->remove(0, bars_->count());
    for (size_t i = 0; i < values.size(); ++i) bars_->append(0.0);
  }
  for (size_t i = 0; i < values.size(); ++i) bars_->replace(static_cast<int>(i), values[i] * 100.0);
  values_ = values;
  if (selectedBar >= 0) bars_->selectBar(selectedBar);
}

}  // namespace digitlab::app
