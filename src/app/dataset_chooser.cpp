#include "dataset_chooser.h"

#include "model_locator.h"
#include "samples_folder.h"

#include <digitlab/dataset.h>
#include <digitlab/dataset_source.h>
#include <digitlab/sample_store.h>

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace digitlab::app {
namespace {

/// "MNIST + my samples" is a quick fine-tune (well under a minute on 2 CPU cores): this many images, every sample of
/// one's own among them, the rest MNIST's...
constexpr int kFineTuneImages = 1500;
/// ...for this many epochs in small batches, measured on this many test images (one's own test samples among them).
constexpr int kFineTuneEpochs = 2;
constexpr int kFineTuneBatch = 64;
constexpr int kFineTuneTestImages = 1000;
/// A few dozen samples of new classes: small batches, more epochs, and no early stopping on a handful of
/// validation images.
constexpr int kSamplesEpochs = 20;
constexpr int kSamplesBatch = 16;

}  // namespace

DatasetChooser::DatasetChooser(QWidget* parent) : QWidget(parent) {
  combo_ = new QComboBox(this);
  combo_->setObjectName("dataset");
  combo_->addItem(tr("MNIST (handwritten digits)"), static_cast<int>(Choice::kMnist));
  if (QFileInfo(QString::fromLatin1(kDebianFashionMnistDir)).isDir())
    combo_->addItem(tr("Fashion-MNIST (clothing)"), static_cast<int>(Choice::kFashionMnist));
  combo_->addItem(tr("My samples (new classes)"), static_cast<int>(Choice::kMySamples));
  combo_->addItem(tr("MNIST + my samples (fine-tune)"), static_cast<int>(Choice::kMnistPlusMySamples));
  combo_->setToolTip(tr("My samples: the drawings added in the Draw tab with \"Add to my samples\""));
  samples_ = new QLabel(this);
  samples_->setObjectName("samplesSummary");
  samples_->setWordWrap(true);
  samples_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(combo_);
  layout->addWidget(samples_);
  connect(combo_, &QComboBox::currentIndexChanged, this, [this] {
    refresh();
    Q_EMIT choiceChanged(choice());
  });
  samplesFolder_ = defaultSamplesFolder();
}

DatasetChooser::Choice DatasetChooser::choice() const { return static_cast<Choice>(combo_->currentData().toInt()); }

bool DatasetChooser::setChoice(Choice choice) {
  const int index = combo_->findData(static_cast<int>(choice));
  if (index < 0) return false;
  const QSignalBlocker quiet(combo_);  // a choice set from settings keeps the settings that come with it
  combo_->setCurrentIndex(index);
  refresh();
  return true;
}

DatasetChooser::Choice DatasetChooser::choiceFor(const std::optional<DatasetSource>& source) {
  if (!source) return Choice::kMnist;
  switch (source->kind()) {
    case DatasetSource::Kind::kFashionMnist:
      return Choice::kFashionMnist;
    case DatasetSource::Kind::kFolder:
      return Choice::kMySamples;
    case DatasetSource::Kind::kMnistPlusFolder:
      return Choice::kMnistPlusMySamples;
    default:
      return Choice::kMnist;
  }
}

QString DatasetChooser::datasetName() const {
  switch (choice()) {
    case Choice::kFashionMnist:
      return tr("Fashion-MNIST");
    case Choice::kMySamples:
      return tr("my samples");
    case Choice::kMnistPlusMySamples:
      return tr("MNIST + my samples");
    case Choice::kMnist:
      break;
  }
  return tr("MNIST");
}

bool DatasetChooser::needsMnist() const {
  return choice() == Choice::kMnist || choice() == Choice::kMnistPlusMySamples;
}

void DatasetChooser::setSamplesFolder(const QString& folder) {
  samplesFolder_ = folder;
  refresh();
}

TrainConfig DatasetChooser::recipe() const {
  TrainConfig c;
  if (choice() == Choice::kMySamples) {
    c.epochs = kSamplesEpochs;
    c.batch_size = kSamplesBatch;
  } else if (choice() == Choice::kMnistPlusMySamples) {
    c.epochs = kFineTuneEpochs;
    c.batch_size = kFineTuneBatch;
    c.limit = kFineTuneImages;
  }
  return c;
}

void DatasetChooser::apply(TrainConfig& c, const std::filesystem::path& mnistDir) const {
  const std::string samples = samplesFolder_.toStdString();
  const QString bundled = bundledModelPath();
  switch (choice()) {
    case Choice::kMnist:
      c.dataset.reset();
      return;
    case Choice::kFashionMnist:
      c.dataset = DatasetSource(DatasetSource::Kind::kFashionMnist, kDebianFashionMnistDir);
      return;
    case Choice::kMySamples:
      // The bundled model's features, a new output layer for the new classes.
      c.dataset = DatasetSource(DatasetSource::Kind::kFolder, samples);
      c.init_from = (bundled.isEmpty() ? currentModel_ : bundled).toStdString();
      c.patience = c.epochs;
      return;
    case Choice::kMnistPlusMySamples:
      c.dataset = DatasetSource::parse("mnist+folder:" + samples, mnistDir);
      c.init_from = (currentModel_.isEmpty() ? bundled : currentModel_).toStdString();
      c.test_limit = kFineTuneTestImages;
      return;
  }
}

QString DatasetChooser::problem() const {
  if (choice() != Choice::kMySamples && choice() != Choice::kMnistPlusMySamples) return {};
  if (samplesFolder_.isEmpty()) return tr("No data folder was found for my samples (set DIGITLAB_SAMPLES).");
  const size_t classes = SampleStore(samplesFolder_.toStdString()).counts().size();
  if (choice() == Choice::kMySamples && classes < 2)
    return tr("My samples hold %1 class(es); new classes need at least 2. Add drawings in the Draw tab with "
              "\"Add to my samples\".")
        .arg(classes);
  if (classes == 0) return tr("My samples are empty: add drawings in the Draw tab with \"Add to my samples\".");
  return {};
}

QString DatasetChooser::samplesSummary() const {
  if (samplesFolder_.isEmpty()) return tr("No data folder was found for my samples (set DIGITLAB_SAMPLES).");
  const auto counts = SampleStore(samplesFolder_.toStdString()).counts();
  const QString where = QDir::toNativeSeparators(samplesFolder_);
  if (counts.empty())
    return tr("No samples yet in %1: add drawings in the Draw tab with \"Add to my samples\".").arg(where);
  QStringList each;
  QStringList few;
  for (const auto& [name, count] : counts) {
    each << QString("%1 %2").arg(QString::fromStdString(name)).arg(count);
    if (count < kFewSamplesPerClass) few << QString::fromStdString(name);
  }
  QString text = tr("%1 classes in my samples: %2.").arg(counts.size()).arg(each.join(QStringLiteral(" · ")));
  if (choice() == Choice::kMySamples && counts.size() < 2) text += tr(" New classes need at least 2.");
  if (!few.isEmpty())
    text += tr(" Too few samples of %1: %2 or more each read far better.").arg(few.join(", ")).arg(kFewSamplesPerClass);
  return text;
}

void DatasetChooser::refresh() {
  const bool samples = choice() == Choice::kMySamples || choice() == Choice::kMnistPlusMySamples;
  samples_->setVisible(samples);
  if (samples) samples_->setText(samplesSummary());
  samples_->setToolTip(samplesFolder_);
}

void DatasetChooser::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refresh();  // samples may have been added in the Draw tab since
}

}  // namespace digitlab::app
