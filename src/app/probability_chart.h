#pragma once
// A bar chart of a prediction's probabilities, labelled with the model's class names. Up to kMostBars classes it
// has one bar per class in class order (the ten digits look as they always did); with more classes it shows the
// ten most probable, best first, and one bar "rest" for all the others together, so that 26 letters or 62
// characters stay readable.

#include <QChartView>
#include <QStringList>

#include <string>
#include <vector>

class QBarCategoryAxis;
class QBarSet;

namespace digitlab::app {

class ProbabilityChart : public QChartView {
  Q_OBJECT

 public:
  /// Most bars the chart draws: one per class up to this many classes, else the top ones and the rest.
  static constexpr int kMostBars = 11;

  explicit ProbabilityChart(QWidget* parent = nullptr);

  /// The classes' names (num_classes of them); the bars drop to zero until the next setProbabilities().
  void setClassNames(const std::vector<std::string>& names);
  /// Shows one probability per class (as many as the names); the bar of class `selected` is highlighted (none
  /// when it is negative). An empty vector shows every bar at zero.
  void setProbabilities(const std::vector<float>& probabilities, int selected);

  /// The bars' labels, left to right.
  QStringList barLabels() const { return labels_; }
  /// The bars' heights in [0, 1], left to right.
  std::vector<float> barValues() const { return values_; }
  /// The chart's title.
  QString title() const;

 private:
  /// Replaces the bars and their labels (the axis only when the labels changed).
  void showBars(const QStringList& labels, const std::vector<float>& values, int selectedBar);
  /// The title for the class names set.
  QString titleFor(int classes) const;

  QBarSet* bars_;
  QBarCategoryAxis* classAxis_;
  std::vector<std::string> names_;
  QStringList labels_;
  std::vector<float> values_;
};

}  // namespace digitlab::app
