#include "confusion_cell_dialog.h"

#include "heat_image.h"
#include "image_convert.h"

#include <digitlab/dataset.h>
#include <digitlab/explainer.h>
#include <digitlab/heatmap.h>
#include <digitlab/mnist.h>
#include <digitlab/predictor.h>

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

namespace digitlab::app {
namespace {

/// Images measured per batch.
constexpr size_t kBatch = 1000;

using Outcome = ConfusionCellDialog::Outcome;

IdxDataset testSet(const TrainConfig& config) {
  return config.dataset ? load_dataset(*config.dataset).test : load_mnist(config.data_dir).test;
}

QString nameOf(const Predictor& predictor, int c) {
  const auto& names = predictor.class_names();
  return c >= 0 && c < static_cast<int>(names.size()) ? QString::fromStdString(names[static_cast<size_t>(c)])
                                                      : QString::number(c);
}

/// The indices of the test images of class `wanted` the predictor reads as `predicted`, with their answers.
std::vector<std::pair<size_t, Prediction>> cell(const Predictor& predictor, const IdxDataset& data, int wanted,
                                                int predicted, const std::atomic<bool>& stop) {
  const size_t pixels = static_cast<size_t>(data.rows()) * static_cast<size_t>(data.cols());
  std::vector<std::pair<size_t, Prediction>> found;
  for (size_t begin = 0; begin < data.size() && !stop; begin += kBatch) {
    const size_t count = std::min(kBatch, data.size() - begin);
    std::vector<float> images(count * pixels);
    for (size_t i = 0; i < images.size(); ++i) images[i] = data.pixels()[begin * pixels + i] / 255.0f;
    const std::vector<Prediction> answers = predictor.predict_batch(images, count);
    for (size_t i = 0; i < count; ++i) {
      if (data.labels()[begin + i] == wanted && answers[i].label == predicted)
        found.emplace_back(begin + i, answers[i]);
    }
  }
  return found;
}

Outcome search(const QString& modelPath, const TrainConfig& config, int wanted, int predicted,
               const std::atomic<bool>& stop) {
  Outcome out;
  auto predictor = std::make_shared<const Predictor>(modelPath.toStdString());
  out.trueName = nameOf(*predictor, wanted);
  out.predictedName = nameOf(*predictor, predicted);
  const IdxDataset data = testSet(config);
  const auto found = cell(*predictor, data, wanted, predicted, stop);
  out.total = static_cast<int>(found.size());
  const Explainer explainer(predictor);
  const int side = data.cols();
  const size_t pixels = static_cast<size_t>(data.rows()) * static_cast<size_t>(side);
  for (size_t k = 0; k < found.size() && static_cast<int>(k) < ConfusionCellDialog::kMostShown && !stop; ++k) {
    const auto first = data.pixels().begin() + static_cast<std::ptrdiff_t>(found[k].first * pixels);
    std::vector<float> input(pixels);
    std::transform(first, first + static_cast<std::ptrdiff_t>(pixels), input.begin(),
                   [](uint8_t v) { return v / 255.0f; });
    // Where the model found its evidence for the wrong answer.
    ExplainRequest request;
    request.target = predicted;
    const Explanation e = explainer.explain(input, request);
    out.method = QString::fromStdString(method_name(e.method));
    const QImage picture = toQImage(GrayImage(side, data.rows(), input));
    out.images.push_back({composeHeat(picture, heatToQImage(heat(e.map), side, data.rows()), 0.6), wanted, predicted,
                          found[k].second.confidence()});
  }
  return out;
}

}  // namespace

ConfusionCellDialog::ConfusionCellDialog(const QString& modelPath, const TrainConfig& config, int trueClass,
                                         int predictedClass, QWidget* parent)
    : QDialog(parent), stop_(std::make_shared<std::atomic<bool>>(false)) {
  setWindowTitle(tr("Test images: true %1, predicted %2").arg(trueClass).arg(predictedClass));
  summary_ = new QLabel(tr("Looking through the test images…"), this);
  summary_->setWordWrap(true);
  list_ = new QListWidget(this);
  list_->setViewMode(QListView::IconMode);
  list_->setIconSize(QSize(84, 84));
  list_->setResizeMode(QListView::Adjust);
  list_->setMovement(QListView::Static);
  list_->setSpacing(6);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addWidget(list_, 1);
  layout->addWidget(buttons);
  resize(620, 480);

  pool_.setMaxThreadCount(1);
  pool_.start([this, modelPath, config, trueClass, predictedClass, stop = stop_] {
    Outcome outcome;
    try {
      outcome = search(modelPath, config, trueClass, predictedClass, *stop);
    } catch (const std::exception& e) {
      outcome.error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this, [this, outcome] { showOutcome(outcome); }, Qt::QueuedConnection);
  });
}

ConfusionCellDialog::~ConfusionCellDialog() {
  *stop_ = true;
  pool_.waitForDone();
}

QString ConfusionCellDialog::summary() const { return summary_->text(); }

void ConfusionCellDialog::showOutcome(const Outcome& outcome) {
  finished_ = true;
  if (!outcome.error.isEmpty()) {
    summary_->setText(tr("Cannot look through the test images: %1").arg(outcome.error));
    return;
  }
  setWindowTitle(tr("Test images: true %1, predicted %2").arg(outcome.trueName, outcome.predictedName));
  QString said =
      outcome.total == 1
          ? tr("1 test image of %1 was read as %2.").arg(outcome.trueName, outcome.predictedName)
          : tr("%1 test images of %2 were read as %3.").arg(outcome.total).arg(outcome.trueName, outcome.predictedName);
  if (outcome.total > static_cast<int>(outcome.images.size()))
    said += tr(" The first %1 are shown.").arg(outcome.images.size());
  if (!outcome.images.empty())
    said += tr(" Coloured: where the model found evidence for %1 (%2).").arg(outcome.predictedName, outcome.method);
  summary_->setText(said);
  for (const Found& f : outcome.images) {
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(f.picture.scaled(84, 84))),
                                     QString("%1 → %2  %3%")
                                         .arg(outcome.trueName, outcome.predictedName)
                                         .arg(static_cast<double>(f.confidence) * 100.0, 0, 'f', 0));
    item->setData(kTrueRole, f.trueClass);
    item->setData(kPredictedRole, f.predicted);
    list_->addItem(item);
  }
}

}  // namespace digitlab::app
