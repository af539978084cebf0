#include "train_tab.h"

#include "confusion_matrix_view.h"
#include "download_worker.h"
#include "error_banner.h"
#include "training_charts.h"
#include "training_worker.h"

#include <digitlab/format.h>
#include <digitlab/mnist.h>
#include <digitlab/mnist_downloader.h>
#include <digitlab/runtime.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <utility>

namespace digitlab::app {
namespace {

/// A folder line edit with a Browse button.
QWidget* folderRow(QLineEdit* edit, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(QObject::tr("Browse…"), row);
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  QObject::connect(browse, &QPushButton::clicked, edit, [edit] {
    const QString folder =
        QFileDialog::getExistingDirectory(edit->window(), QObject::tr("Choose a folder"), edit->text());
    if (!folder.isEmpty()) edit->setText(folder);
  });
  return row;
}

QString defaultOutputFolder() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs"; }

}  // namespace

TrainTab::TrainTab(QWidget* parent) : QWidget(parent) {
  buildSettingsBox();
  buildRunControls();
  QWidget* results = buildResultsBox();
  buildLiveViews();
  layOut(results);
  connectWorker();
  connectControls();

  setConfig(TrainConfig{});
  dataFolder_->setText(QString::fromStdString(default_data_dir().string()));
  outputFolder_->setText(defaultOutputFolder());
}

void TrainTab::buildSettingsBox() {
  epochs_ = new QSpinBox(this);
  epochs_->setRange(1, 500);
  batchSize_ = new QSpinBox(this);
  batchSize_->setRange(2, 4096);
  learningRate_ = new QDoubleSpinBox(this);
  learningRate_->setDecimals(5);
  learningRate_->setRange(0.00001, 1.0);
  learningRate_->setSingleStep(0.0001);
  augment_ = new QCheckBox(tr("Rotate, shift and zoom training images"), this);
  device_ = new QComboBox(this);
  device_->addItem(tr("Automatic"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  const bool cuda = cuda_available();
  device_->addItem(cuda ? QString::fromStdString(describe_device("cuda")) : tr("CUDA (no GPU found)"), "cuda");
  if (!cuda) {
    if (auto* model = qobject_cast<QStandardItemModel*>(device_->model())) model->item(2)->setEnabled(false);
  }
  amp_ = new QCheckBox(tr("Mixed precision on the GPU"), this);
  amp_->setObjectName("mixedPrecision");
  limit_ = new QSpinBox(this);
  limit_->setRange(0, 60000);
  limit_->setSingleStep(1000);
  limit_->setSpecialValueText(tr("All 60,000"));
  limit_->setToolTip(tr("Train on the first N MNIST training images only, for a quick run"));
  dataFolder_ = new QLineEdit(this);
  dataStatus_ = new QLabel(this);
  dataStatus_->setWordWrap(true);
  download_ = new QPushButton(tr("&Download MNIST"), this);
  outputFolder_ = new QLineEdit(this);
  outputFolder_->setToolTip(tr("Each run saves its TorchScript and ONNX files in a new folder in here"));

  settingsBox_ = new QGroupBox(tr("Settings"), this);
  auto* form = new QFormLayout(settingsBox_);
  form->addRow(tr("Epochs:"), epochs_);
  form->addRow(tr("Batch size:"), batchSize_);
  form->addRow(tr("Learning rate:"), learningRate_);
  form->addRow(tr("Augmentation:"), augment_);
  form->addRow(tr("Device:"), device_);
  form->addRow(tr("Precision:"), amp_);
  form->addRow(tr("Training images:"), limit_);
  form->addRow(tr("MNIST folder:"), folderRow(dataFolder_, settingsBox_));
  auto* dataRow = new QHBoxLayout;
  dataRow->addWidget(dataStatus_, 1);
  dataRow->addWidget(download_);
  form->addRow(QString(), dataRow);
  form->addRow(tr("Save models in:"), folderRow(outputFolder_, settingsBox_));
}

void TrainTab::buildRunControls() {
  start_ = new QPushButton(tr("&Start training"), this);
  stop_ = new QPushButton(tr("S&top"), this);
  stop_->setEnabled(false);
  stop_->setToolTip(tr("Ends the run within a second and keeps the best model so far, or cancels a download"));
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setFormat(tr("Ready"));
  progress_->setTextVisible(true);
  error_ = new ErrorBanner(this);
}

QWidget* TrainTab::buildResultsBox() {
  summary_ = new QLabel(tr("Results appear here when a run ends."), this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  confusion_ = new ConfusionMatrixView(this);
  useModel_ = new QPushButton(tr("&Use this model"), this);
  useModel_->setEnabled(false);
  openFolder_ = new QPushButton(tr("Open folder"), this);
  openFolder_->setEnabled(false);

  auto* results = new QGroupBox(tr("Result"), this);
  auto* resultsLayout = new QVBoxLayout(results);
  resultsLayout->addWidget(summary_);
  resultsLayout->addWidget(confusion_, 1);
  auto* resultButtons = new QHBoxLayout;
  resultButtons->addWidget(useModel_);
  resultButtons->addWidget(openFolder_);
  resultsLayout->addLayout(resultButtons);
  return results;
}

void TrainTab::buildLiveViews() {
  charts_ = new TrainingCharts(this);
  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setPlaceholderText(tr("Training log"));
}

void TrainTab::layOut(QWidget* results) {
  // Left: settings, Start and Stop, the result. Right: the plots over the log. Above both: errors and progress.
  auto* controls = new QHBoxLayout;
  controls->addWidget(start_);
  controls->addWidget(stop_);
  auto* left = new QWidget(this);
  auto* leftLayout = new QVBoxLayout(left);
  leftLayout->setContentsMargins(0, 0, 0, 0);
  leftLayout->addWidget(settingsBox_);
  leftLayout->addLayout(controls);
  leftLayout->addWidget(results, 1);

  auto* right = new QSplitter(Qt::Vertical, this);
  right->addWidget(charts_);
  right->addWidget(log_);
  right->setStretchFactor(0, 3);
  right->setStretchFactor(1, 1);
  auto* columns = new QSplitter(this);
  columns->addWidget(left);
  columns->addWidget(right);
  columns->setStretchFactor(0, 2);
  columns->setStretchFactor(1, 3);
  columns->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(error_);
  layout->addWidget(progress_);
  layout->addWidget(columns, 1);
}

void TrainTab::connectWorker() {
  // The worker thread runs the trainer and the downloader; it lives as long as the tab.
  thread_ = new QThread(this);
  thread_->setObjectName("DigitLab training");
  worker_ = new TrainingWorker;
  downloader_ = new DownloadWorker;
  worker_->moveToThread(thread_);
  downloader_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(thread_, &QThread::finished, downloader_, &QObject::deleteLater);
  connect(worker_, &TrainingWorker::batchDone, this, &TrainTab::onBatch);
  connect(worker_, &TrainingWorker::epochDone, this, &TrainTab::onEpoch);
  connect(worker_, &TrainingWorker::logLine, this, &TrainTab::appendLog);
  connect(worker_, &TrainingWorker::phaseChanged, this, &TrainTab::onPhase);
  connect(worker_, &TrainingWorker::finished, this, &TrainTab::onFinished);
  connect(worker_, &TrainingWorker::failed, this, &TrainTab::onFailed);
  connect(downloader_, &DownloadWorker::progress, this, &TrainTab::onDownloadProgress);
  connect(downloader_, &DownloadWorker::finished, this, &TrainTab::onDownloadFinished);
  connect(downloader_, &DownloadWorker::failed, this, &TrainTab::onDownloadFailed);
  thread_->start();
}

void TrainTab::connectControls() {
  connect(start_, &QPushButton::clicked, this, &TrainTab::start);
  connect(stop_, &QPushButton::clicked, this, &TrainTab::stop);
  connect(download_, &QPushButton::clicked, this, &TrainTab::downloadData);
  connect(dataFolder_, &QLineEdit::textChanged, this, &TrainTab::updateDataStatus);
  connect(useModel_, &QPushButton::clicked, this, [this] { Q_EMIT useModelRequested(modelPath_); });
  connect(openFolder_, &QPushButton::clicked, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(runFolder_)); });
  connect(device_, &QComboBox::currentIndexChanged, this, &TrainTab::updateAmp);
  connect(amp_, &QCheckBox::toggled, this, [this](bool on) {
    if (amp_->isEnabled()) ampWanted_ = on;
  });
}

TrainTab::~TrainTab() {
  worker_->requestStop();
  downloader_->requestCancel();
  thread_->quit();
  thread_->wait();
}

TrainConfig TrainTab::config() const {
  TrainConfig c;
  c.epochs = epochs_->value();
  c.batch_size = batchSize_->value();
  c.lr = learningRate_->value();
  c.augment = augment_->isChecked();
  c.device = device_->currentData().toString().toStdString();
  c.amp = ampWanted_;
  c.limit = limit_->value();
  c.data_dir = dataFolder_->text().trimmed().toStdString();
  c.command = "digitlab (Train tab)";
  return c;
}

void TrainTab::setConfig(const TrainConfig& c) {
  epochs_->setValue(c.epochs);
  batchSize_->setValue(c.batch_size);
  learningRate_->setValue(c.lr);
  augment_->setChecked(c.augment);
  const int device = device_->findData(QString::fromStdString(c.device));
  device_->setCurrentIndex(device >= 0 && (device != 2 || cuda_available()) ? device : 0);
  ampWanted_ = c.amp;
  updateAmp();
  limit_->setValue(static_cast<int>(std::min<int64_t>(c.limit, 60000)));
  if (!c.data_dir.empty()) dataFolder_->setText(QString::fromStdString(c.data_dir.string()));
}

void TrainTab::updateAmp() {
  const bool usable = cuda_available() && device_->currentData().toString() != "cpu";
  amp_->setEnabled(usable);  // first, so that unticking a greyed-out box does not count as the user's choice
  amp_->setChecked(usable && ampWanted_);
  amp_->setToolTip(usable ? tr("bfloat16 or float16 autocast on the GPU") : tr("Needs a CUDA GPU"));
}

void TrainTab::setOutputFolder(const QString& folder) { outputFolder_->setText(folder); }

QString TrainTab::error() const { return error_->message(); }

void TrainTab::saveSettings(QSettings& s) const {
  const TrainConfig c = config();
  s.setValue("train/epochs", c.epochs);
  s.setValue("train/batchSize", c.batch_size);
  s.setValue("train/learningRate", c.lr);
  s.setValue("train/augment", c.augment);
  s.setValue("train/device", QString::fromStdString(c.device));
  s.setValue("train/amp", c.amp);
  s.setValue("train/limit", static_cast<qlonglong>(c.limit));
  s.setValue("train/dataFolder", dataFolder_->text());
  s.setValue("train/outputFolder", outputFolder_->text());
}

void TrainTab::restoreSettings(const QSettings& s) {
  const TrainConfig defaults;
  TrainConfig c;
  c.epochs = s.value("train/epochs", defaults.epochs).toInt();
  c.batch_size = s.value("train/batchSize", defaults.batch_size).toInt();
  c.lr = s.value("train/learningRate", defaults.lr).toDouble();
  c.augment = s.value("train/augment", defaults.augment).toBool();
  c.device = s.value("train/device", QString::fromStdString(defaults.device)).toString().toStdString();
  c.amp = s.value("train/amp", defaults.amp).toBool();
  c.limit = s.value("train/limit", 0).toLongLong();
  c.data_dir = s.value("train/dataFolder", dataFolder_->text()).toString().toStdString();
  setConfig(c);
  outputFolder_->setText(s.value("train/outputFolder", outputFolder_->text()).toString());
}

void TrainTab::updateDataStatus() {
  const auto missing = missing_mnist_files(dataFolder_->text().trimmed().toStdString());
  if (missing.empty()) {
    dataStatus_->setText(tr("MNIST is here."));
    download_->hide();
    return;
  }
  dataStatus_->setText(MnistDownloader::available()
                           ? tr("MNIST is not in this folder (%n file(s) missing, about 11 MB in all).", nullptr,
                                static_cast<int>(missing.size()))
                           : tr("MNIST is not in this folder, and this build cannot download it."));
  download_->setVisible(MnistDownloader::available());
  download_->setEnabled(!busy_);
}

void TrainTab::setBusy(bool busy) {
  busy_ = busy;
  cancelRequested_ = false;
  start_->setEnabled(!busy);
  stop_->setEnabled(busy);
  settingsBox_->setEnabled(!busy);
  download_->setEnabled(!busy);
  Q_EMIT busyChanged(busy);
  if (!busy) Q_EMIT activityChanged(QString());
}

void TrainTab::showError(const QString& message) {
  error_->showMessage(message);
  appendLog(tr("error: %1").arg(message));
}

void TrainTab::appendLog(const QString& line) {
  log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + line);
}

void TrainTab::downloadData() {
  if (busy_) return;
  error_->hide();
  const QString folder = dataFolder_->text().trimmed();
  setBusy(true);
  downloading_ = true;
  progress_->setValue(0);
  progress_->setFormat(tr("Downloading MNIST…"));
  appendLog(tr("downloading MNIST into %1").arg(folder));
  downloader_->resetCancel();
  QMetaObject::invokeMethod(
      downloader_, [d = downloader_, folder] { d->run(folder); }, Qt::QueuedConnection);
}

void TrainTab::onDownloadProgress(double fraction, const QString& file) {
  progress_->setValue(static_cast<int>(fraction * 1000));
  progress_->setFormat(tr("Downloading %1… %p%").arg(file));
}

void TrainTab::onDownloadFinished() {
  downloading_ = false;
  appendLog(tr("MNIST downloaded to %1").arg(dataFolder_->text()));
  setBusy(false);
  progress_->setFormat(tr("MNIST downloaded"));
  updateDataStatus();
  if (std::exchange(startAfterDownload_, false)) start();
}

void TrainTab::onDownloadFailed(const QString& message) {
  startAfterDownload_ = false;
  downloading_ = false;
  const bool cancelled = cancelRequested_;
  setBusy(false);
  updateDataStatus();
  if (cancelled) {
    progress_->setFormat(tr("Download cancelled"));
    appendLog(tr("download cancelled; nothing partial was kept"));
    return;
  }
  progress_->setFormat(tr("Download failed"));
  showError(tr("Cannot download MNIST: %1").arg(message));
}

void TrainTab::start() {
  if (busy_) return;
  error_->hide();
  TrainConfig c = config();
  if (c.data_dir.empty()) {
    showError(tr("Choose the MNIST folder first."));
    return;
  }
  if (!missing_mnist_files(c.data_dir).empty()) {
    if (!MnistDownloader::available()) {
      showError(tr("MNIST is missing from %1, and this build cannot download it.")
                    .arg(QString::fromStdString(c.data_dir.string())));
      return;
    }
    startAfterDownload_ = true;  // training begins once the files are here
    downloadData();
    return;
  }
  const QString base =
      outputFolder_->text().trimmed().isEmpty() ? defaultOutputFolder() : outputFolder_->text().trimmed();
  // A folder of its own for every run, even for two started within the same second.
  const QString stamp = "run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  runFolder_ = QDir(base).filePath(stamp);
  for (int n = 2; QFileInfo::exists(runFolder_); ++n)
    runFolder_ = QDir(base).filePath(stamp + "-" + QString::number(n));
  c.out_dir = runFolder_.toStdString();

  charts_->reset(c.epochs);
  summary_->setText(tr("Training…"));
  confusion_->clearCounts();
  useModel_->setEnabled(false);
  openFolder_->setEnabled(false);
  modelPath_.clear();
  progress_->setValue(0);
  progress_->setFormat(tr("Loading MNIST…"));
  appendLog(tr("training %1 epoch(s), batch %2, learning rate %3, into %4")
                .arg(c.epochs)
                .arg(c.batch_size)
                .arg(c.lr)
                .arg(runFolder_));
  setBusy(true);
  runTimer_.start();
  worker_->resetStop();
  QMetaObject::invokeMethod(
      worker_, [w = worker_, c] { w->run(c); }, Qt::QueuedConnection);
}

void TrainTab::stop() {
  if (!busy_) return;
  cancelRequested_ = true;
  stop_->setEnabled(false);
  if (downloading_) {
    startAfterDownload_ = false;
    downloader_->requestCancel();
    progress_->setFormat(tr("Cancelling the download…"));
    return;
  }
  worker_->requestStop();
  progress_->setFormat(tr("Stopping…"));
  appendLog(tr("stopping: the best model so far is kept"));
}

void TrainTab::onBatch(const BatchStats& stats, double smoothedLoss) {
  const double position = (stats.epoch - 1) + static_cast<double>(stats.batch) / static_cast<double>(stats.batches);
  charts_->addBatch(position, smoothedLoss);
  const double fraction = position / stats.epochs;
  if (!stop_->isEnabled()) return;  // keep "Stopping…" visible
  progress_->setValue(static_cast<int>(fraction * 1000));
  const double elapsed = runTimer_.elapsed() / 1000.0;
  QString eta;  // only once there is enough of the run to extrapolate from
  if (fraction > 0.002) {
    const double left = elapsed * (1 - fraction) / fraction;
    eta = tr(" · %1 left").arg(QString::fromStdString(format_duration(left)));
  }
  progress_->setFormat(tr("Epoch %1 of %2 · %p%%3 · %4 images/s")
                           .arg(stats.epoch)
                           .arg(stats.epochs)
                           .arg(eta)
                           .arg(std::lround(stats.images_per_second)));
  Q_EMIT activityChanged(
      tr("Training: epoch %1 of %2, %3%").arg(stats.epoch).arg(stats.epochs).arg(static_cast<int>(fraction * 100)));
}

void TrainTab::onPhase(const QString& what) {
  if (!stop_->isEnabled()) return;  // keep "Stopping…" visible
  const QString sentence = what.left(1).toUpper() + what.mid(1) + QStringLiteral("…");
  progress_->setValue(progress_->maximum());
  progress_->setFormat(sentence);
  Q_EMIT activityChanged(tr("Training: %1").arg(sentence));
}

void TrainTab::onEpoch(const EpochStats& stats) {
  charts_->addEpoch(stats);
  appendLog(tr("epoch %1/%2: train loss %3, accuracy %4% · validation loss %5, accuracy %6% · %7 s%8")
                .arg(stats.epoch)
                .arg(stats.epochs)
                .arg(stats.train_loss, 0, 'f', 4)
                .arg(stats.train_accuracy * 100, 0, 'f', 2)
                .arg(stats.val_loss, 0, 'f', 4)
                .arg(stats.val_accuracy * 100, 0, 'f', 2)
                .arg(stats.seconds, 0, 'f', 1)
                .arg(stats.improved ? tr(" (best so far, saved)") : QString()));
}

void TrainTab::onFinished(const TrainResult& result) {
  setBusy(false);
  updateDataStatus();
  if (result.best_epoch == 0) {
    progress_->setFormat(tr("Stopped before the first epoch ended: no model was saved"));
    summary_->setText(tr("No model: the run was stopped before its first epoch ended."));
    return;
  }
  modelPath_ = QString::fromStdString(result.model_path.string());
  useModel_->setEnabled(true);
  openFolder_->setEnabled(true);
  QString files = QString::fromStdString(result.model_path.string());
  if (!result.onnx_path.empty()) files += tr(" and ") + QString::fromStdString(result.onnx_path.string());
  if (result.test_accuracy) {
    progress_->setValue(progress_->maximum());
    progress_->setFormat(tr("Done in %1 · test accuracy %2%")
                             .arg(QString::fromStdString(format_duration(result.wall_seconds)))
                             .arg(*result.test_accuracy * 100, 0, 'f', 2));
    summary_->setText(tr("<b>Test accuracy %1%</b> on the MNIST test set. Best epoch %2 of %3 (validation %4%)%5. "
                         "Saved %6.")
                          .arg(*result.test_accuracy * 100, 0, 'f', 2)
                          .arg(result.best_epoch)
                          .arg(result.epochs_completed)
                          .arg(result.best_val_accuracy * 100, 0, 'f', 2)
                          .arg(result.early_stopped ? tr(", stopped early") : QString())
                          .arg(files.toHtmlEscaped()));
    confusion_->setMatrix(result.confusion);
  } else {
    progress_->setFormat(tr("Stopped · best model so far kept (epoch %1)").arg(result.best_epoch));
    summary_->setText(tr("Stopped after %1 epoch(s). The best model so far (epoch %2, validation accuracy %3%) "
                         "is saved as %4; it was not measured on the test set.")
                          .arg(result.epochs_completed)
                          .arg(result.best_epoch)
                          .arg(result.best_val_accuracy * 100, 0, 'f', 2)
                          .arg(files.toHtmlEscaped()));
  }
  appendLog(tr("finished: %1").arg(files));
}

void TrainTab::onFailed(const QString& message) {
  setBusy(false);
  updateDataStatus();
  progress_->setFormat(tr("Failed"));
  summary_->setText(tr("The run failed; see the message above."));
  showError(tr("Training failed: %1").arg(message));
}

}  // namespace digitlab::app
