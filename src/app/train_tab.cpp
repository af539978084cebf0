#include "train_tab.h"

#include "axis_label.h"
#include "class_noun.h"
#include "confusion_cell_dialog.h"
#include "confusion_matrix_view.h"
#include "dataset_chooser.h"
#include "download_worker.h"
#include "error_banner.h"
#include "error_text.h"
#include "training_charts.h"
#include "training_worker.h"

#include <digitlab/format.h>
#include <digitlab/mnist.h>
#include <digitlab/mnist_downloader.h>
#include <digitlab/runtime.h>

#include <QLocale>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
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

/// A folder line edit with a Browse button (and `extra`, when given, after it), each next in Tab order.
QWidget* folderRow(QLineEdit* edit, QWidget* parent, QPushButton* extra = nullptr) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(QObject::tr("Browse…"), row);
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  QWidget::setTabOrder(edit, browse);
  if (extra != nullptr) {
    layout->addWidget(extra);
    QWidget::setTabOrder(browse, extra);
  }
  QObject::connect(browse, &QPushButton::clicked, edit, [edit] {
    const QString folder =
        QFileDialog::getExistingDirectory(edit->window(), QObject::tr("Choose a folder"), edit->text());
    if (!folder.isEmpty()) edit->setText(folder);
  });
  return row;
}

/// ~/.local/share/DigitLab/runs on Linux: the app's name once (AppDataLocation would add the organisation's too).
QString defaultOutputFolder() {
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/" +
         QCoreApplication::applicationName() + "/runs";
}

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
  // Created in the order they are laid out, row by row: the Tab key's order.
  dataset_ = new DatasetChooser(this);
  // The recipes' names and tooltips quote their own settings, so that they say what a run will do.
  const TrainConfig standard = with_recipe(TrainConfig{}, Recipe::kDefault);
  const TrainConfig quick = with_recipe(TrainConfig{}, Recipe::kQuick);
  recipe_ = new QComboBox(this);
  recipe_->setObjectName("recipe");
  recipe_->addItem(tr("Default (the shipped model's: up to %1 epochs)").arg(standard.epochs),
                   QString::fromStdString(recipe_name(Recipe::kDefault)));
  recipe_->setItemData(0,
                       tr("The recipe that trained the shipped model: up to %1 epochs at batch %2, learning rate %3 "
                          "falling each epoch, stopping early when the validation accuracy has not improved for %4 "
                          "epochs")
                           .arg(standard.epochs)
                           .arg(standard.batch_size)
                           .arg(standard.lr)
                           .arg(standard.patience),
                       Qt::ToolTipRole);
  recipe_->addItem(tr("Quick (%1 epochs, one-cycle)").arg(quick.epochs),
                   QString::fromStdString(recipe_name(Recipe::kQuick)));
  recipe_->setItemData(1,
                       tr("A good model in %1 epochs of %5 images each: a one-cycle learning rate (up to %2 and down "
                          "again), batch %3, label smoothing %4, lighter dropout, and bfloat16 on CPUs that support "
                          "it natively. About 3 s on a data-centre GPU, a minute and a half on a 2-core CPU. "
                          "Training on my samples keeps their own epochs and batch size")
                           .arg(quick.epochs)
                           .arg(quick.lr)
                           .arg(quick.batch_size)
                           .arg(quick.label_smoothing)
                           .arg(QLocale().toString(static_cast<qlonglong>(quick.images_per_epoch))),
                       Qt::ToolTipRole);
  recipe_->setToolTip(recipe_->itemData(0, Qt::ToolTipRole).toString());
  epochs_ = new QSpinBox(this);
  epochs_->setRange(1, 500);
  batchSize_ = new QSpinBox(this);
  batchSize_->setRange(2, 4096);
  learningRate_ = new QDoubleSpinBox(this);
  learningRate_->setDecimals(5);
  learningRate_->setRange(0.00001, 1.0);
  learningRate_->setSingleStep(0.0001);
  limit_ = new QSpinBox(this);
  limit_->setRange(0, 60000);
  limit_->setSingleStep(1000);
  limit_->setSpecialValueText(tr("All"));
  limit_->setToolTip(tr("Train on the first N training images only, for a quick run"));
  device_ = new QComboBox(this);
  device_->addItem(tr("Automatic"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  const bool cuda = cuda_available();
  device_->addItem(cuda ? QString::fromStdString(describe_device("cuda")) : tr("CUDA (no GPU found)"), "cuda");
  if (!cuda) {
    if (auto* model = qobject_cast<QStandardItemModel*>(device_->model())) model->item(2)->setEnabled(false);
  }
  augment_ = new QCheckBox(tr("Augment images"), this);
  augment_->setToolTip(tr("Rotate, shift and zoom the training images a little, a new way each epoch"));
  amp_ = new QCheckBox(tr("Mixed precision"), this);
  amp_->setObjectName("mixedPrecision");
  joinedDigits_ = new QCheckBox(tr("Teach joined digits"), this);
  joinedDigits_->setObjectName("joinedDigits");
  joinedDigits_->setToolTip(
      tr("Adds %1% more images to each batch that are two digits joined as they touch in a handwritten number, "
         "taught to get no confident answer: the model then reads numbers with touching digits far better, as the "
         "bundled model does")
          .arg(static_cast<int>(kNonDigitsShare * 100)));
  writingStyles_ = new QCheckBox(tr("Teach more writing styles"), this);
  writingStyles_->setObjectName("writingStyles");
  writingStyles_->setToolTip(
      tr("Draws %1% of the training 1s with a flag and replaces %1% of the 4s with 4s whose top is a closed "
         "triangle, as many people write them and MNIST's writers seldom did, as the bundled model was taught")
          .arg(static_cast<int>(kWritingStylesShare * 100)));
  dataFolder_ = new QLineEdit(this);
  dataFolder_->setObjectName("dataFolder");
  download_ = new QPushButton(tr("&Download MNIST"), this);
  dataStatus_ = new QLabel(this);
  dataStatus_->setObjectName("dataStatus");
  dataStatus_->setWordWrap(true);
  outputFolder_ = new QLineEdit(this);
  outputFolder_->setObjectName("outputFolder");
  outputFolder_->setToolTip(tr("Each run saves its TorchScript and ONNX files in a new folder in here"));
  layOutSettings();
}

void TrainTab::layOutSettings() {
  // Two settings to a row where they are short, so that the result below fits on a laptop screen.
  settingsBox_ = new QGroupBox(tr("Settings"), this);
  auto* grid = new QGridLayout(settingsBox_);
  grid->setVerticalSpacing(4);
  const auto pair = [&](int row, int column, const QString& text, QWidget* field) {
    auto* label = new QLabel(text, settingsBox_);
    label->setBuddy(field);
    grid->addWidget(label, row, column);
    grid->addWidget(field, row, column + 1);
  };
  auto* trainOn = new QLabel(tr("Train o&n:"), settingsBox_);
  trainOn->setBuddy(dataset_);
  grid->addWidget(trainOn, 0, 0, Qt::AlignTop | Qt::AlignLeft);
  grid->addWidget(dataset_, 0, 1, 1, 3);
  auto* recipe = new QLabel(tr("&Recipe:"), settingsBox_);
  recipe->setBuddy(recipe_);
  grid->addWidget(recipe, 1, 0);
  grid->addWidget(recipe_, 1, 1, 1, 3);
  pair(2, 0, tr("Epochs:"), epochs_);
  pair(2, 2, tr("Batch size:"), batchSize_);
  pair(3, 0, tr("Learning rate:"), learningRate_);
  pair(3, 2, tr("Images:"), limit_);
  pair(4, 0, tr("Device:"), device_);
  auto* options = new QHBoxLayout;
  options->addWidget(augment_);
  options->addWidget(amp_);
  grid->addLayout(options, 4, 2, 1, 2);
  // What the data teaches beyond MNIST's digits, on a row of its own so that the window stays narrow.
  auto* teach = new QHBoxLayout;
  teach->addWidget(joinedDigits_);
  teach->addWidget(writingStyles_);
  teach->addStretch();
  grid->addLayout(teach, 5, 1, 1, 3);
  grid->addWidget(new QLabel(tr("MNIST folder:"), settingsBox_), 6, 0);
  grid->addWidget(folderRow(dataFolder_, settingsBox_, download_), 6, 1, 1, 3);
  grid->addWidget(dataStatus_, 7, 1, 1, 3);
  grid->addWidget(new QLabel(tr("Save models in:"), settingsBox_), 8, 0);
  grid->addWidget(folderRow(outputFolder_, settingsBox_), 8, 1, 1, 3);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(3, 1);
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
  summary_->setObjectName("runSummary");
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
  // The matrix under its axis titles: predictions across, true digits down.
  auto* matrix = new QGridLayout;
  matrix->setSpacing(2);
  predictedAxis_ = new AxisLabel(tr("predicted digit"), Qt::Horizontal, results);
  predictedAxis_->setObjectName("predictedAxis");
  trueAxis_ = new AxisLabel(tr("true digit"), Qt::Vertical, results);
  trueAxis_->setObjectName("trueAxis");
  matrix->addWidget(predictedAxis_, 0, 1);
  matrix->addWidget(trueAxis_, 1, 0);
  matrix->addWidget(confusion_, 1, 1);
  resultsLayout->addLayout(matrix, 1);
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
  // On a short screen the column scrolls rather than squeezing the matrix or the buttons under it.
  auto* leftScroll = new QScrollArea(this);
  leftScroll->setObjectName("trainControls");
  leftScroll->setWidget(left);
  leftScroll->setWidgetResizable(true);
  leftScroll->setFrameShape(QFrame::NoFrame);
  leftScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  leftScroll->setMinimumWidth(left->minimumSizeHint().width() + leftScroll->verticalScrollBar()->sizeHint().width());

  auto* right = new QSplitter(Qt::Vertical, this);
  right->addWidget(charts_);
  right->addWidget(log_);
  right->setStretchFactor(0, 3);
  right->setStretchFactor(1, 1);
  auto* columns = new QSplitter(this);
  columns->addWidget(leftScroll);
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
  connect(openFolder_, &QPushButton::clicked, this, &TrainTab::openRunFolder);
  // A cell of the run's confusion matrix: its test images, each with where the model looked.
  connect(confusion_, &QTableWidget::cellClicked, this, [this](int trueClass, int predicted) {
    if (modelPath_.isEmpty() || busy_) return;
    auto* dialog = new ConfusionCellDialog(modelPath_, runConfig_, trueClass, predicted, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  });
  connect(device_, &QComboBox::currentIndexChanged, this, &TrainTab::updateAmp);
  connect(dataset_, &DatasetChooser::choiceChanged, this, &TrainTab::applyRecipe);
  connect(recipe_, &QComboBox::currentIndexChanged, this, [this] {
    recipe_->setToolTip(recipe_->currentData(Qt::ToolTipRole).toString());
    applyRecipe();
  });
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
  // The recipe brings what the controls do not show (schedule, label smoothing, precision, patience); the
  // controls bring the rest.
  TrainConfig c = with_recipe(TrainConfig{}, recipe());
  c.epochs = epochs_->value();
  c.batch_size = batchSize_->value();
  c.lr = learningRate_->value();
  c.augment = augment_->isChecked();
  c.non_digits = joinedDigits_->isChecked() ? kNonDigitsShare : 0.0;
  c.writing_styles = writingStyles_->isChecked() ? kWritingStylesShare : 0.0;
  c.device = device_->currentData().toString().toStdString();
  c.amp = ampWanted_;
  c.limit = limit_->value();
  c.data_dir = dataFolder_->text().trimmed().toStdString();
  run_one_cycle_to_the_end(c);
  c.command = "digitlab (Train tab)";
  dataset_->apply(c, c.data_dir);
  return c;
}

void TrainTab::applyRecipe() {
  TrainConfig sizes = dataset_->recipe();
  // The quick recipe is sized for the 60,000 images of MNIST; a samples folder of a few dozen drawings keeps the
  // epochs and batch size of its own recipe (a batch of 256 would be the whole folder, three steps in all).
  const auto choice = dataset_->choice();
  const bool ownSizes =
      choice == DatasetChooser::Choice::kMySamples || choice == DatasetChooser::Choice::kMnistPlusMySamples;
  if (recipe() == Recipe::kQuick && !ownSizes) {
    const TrainConfig quick = with_recipe(TrainConfig{}, Recipe::kQuick);
    sizes.epochs = quick.epochs;
    sizes.batch_size = quick.batch_size;
    sizes.lr = quick.lr;
  }
  epochs_->setValue(sizes.epochs);
  batchSize_->setValue(sizes.batch_size);
  learningRate_->setValue(sizes.lr);
  limit_->setValue(static_cast<int>(sizes.limit));
  updateDataStatus();
}

Recipe TrainTab::recipe() const {
  return recipe_->currentData().toString() == QString::fromStdString(recipe_name(Recipe::kQuick)) ? Recipe::kQuick
                                                                                                    : Recipe::kDefault;
}

void TrainTab::setCurrentModel(const QString& path) { dataset_->setCurrentModel(path); }

void TrainTab::setSamplesFolder(const QString& folder) { dataset_->setSamplesFolder(folder); }

void TrainTab::setConfig(const TrainConfig& c) {
  {
    // The recipe's own epochs and rate would overwrite those of `c`.
    const QSignalBlocker quiet(recipe_);
    const int recipe = recipe_->findData(QString::fromStdString(c.recipe));
    recipe_->setCurrentIndex(std::max(recipe, 0));
    recipe_->setToolTip(recipe_->currentData(Qt::ToolTipRole).toString());
  }
  epochs_->setValue(c.epochs);
  batchSize_->setValue(c.batch_size);
  learningRate_->setValue(c.lr);
  augment_->setChecked(c.augment);
  joinedDigits_->setChecked(c.non_digits > 0);
  writingStyles_->setChecked(c.writing_styles > 0);
  const int device = device_->findData(QString::fromStdString(c.device));
  device_->setCurrentIndex(device >= 0 && (device != 2 || cuda_available()) ? device : 0);
  ampWanted_ = c.amp;
  updateAmp();
  limit_->setValue(static_cast<int>(std::min<int64_t>(c.limit, 60000)));
  if (!c.data_dir.empty()) dataFolder_->setText(QString::fromStdString(c.data_dir.string()));
  const auto choice = DatasetChooser::choiceFor(c.dataset);
  if (c.dataset && choice != DatasetChooser::Choice::kFashionMnist)
    dataset_->setSamplesFolder(QString::fromStdString(c.dataset->dir().string()));
  dataset_->setChoice(choice);
}

void TrainTab::updateAmp() {
  const bool usable = cuda_available() && device_->currentData().toString() != "cpu";
  amp_->setEnabled(usable);  // first, so that unticking a greyed-out box does not count as the user's choice
  amp_->setChecked(usable && ampWanted_);
  amp_->setToolTip(usable ? tr("bfloat16 or float16 autocast on the GPU") : tr("Needs a CUDA GPU"));
}

void TrainTab::setOutputFolder(const QString& folder) { outputFolder_->setText(folder); }

QString TrainTab::outputFolder() const { return outputFolder_->text(); }

QString TrainTab::error() const { return error_->message(); }

void TrainTab::saveSettings(QSettings& s) const {
  const TrainConfig c = config();
  s.setValue("train/recipe", QString::fromStdString(c.recipe));
  s.setValue("train/epochs", c.epochs);
  s.setValue("train/batchSize", c.batch_size);
  s.setValue("train/learningRate", c.lr);
  s.setValue("train/augment", c.augment);
  s.setValue("train/joinedDigits", c.non_digits > 0);
  s.setValue("train/writingStyles", c.writing_styles > 0);
  s.setValue("train/device", QString::fromStdString(c.device));
  s.setValue("train/amp", c.amp);
  s.setValue("train/limit", static_cast<qlonglong>(c.limit));
  s.setValue("train/dataset", static_cast<int>(dataset_->choice()));
  s.setValue("train/dataFolder", dataFolder_->text());
  s.setValue("train/outputFolder", outputFolder_->text());
}

void TrainTab::restoreSettings(const QSettings& s) {
  const TrainConfig defaults;
  TrainConfig c;
  c.recipe = s.value("train/recipe", QString::fromStdString(defaults.recipe)).toString().toStdString();
  c.epochs = s.value("train/epochs", defaults.epochs).toInt();
  c.batch_size = s.value("train/batchSize", defaults.batch_size).toInt();
  c.lr = s.value("train/learningRate", defaults.lr).toDouble();
  c.augment = s.value("train/augment", defaults.augment).toBool();
  c.non_digits = s.value("train/joinedDigits", false).toBool() ? kNonDigitsShare : 0.0;
  c.writing_styles = s.value("train/writingStyles", false).toBool() ? kWritingStylesShare : 0.0;
  c.device = s.value("train/device", QString::fromStdString(defaults.device)).toString().toStdString();
  c.amp = s.value("train/amp", defaults.amp).toBool();
  c.limit = s.value("train/limit", 0).toLongLong();
  c.data_dir = s.value("train/dataFolder", dataFolder_->text()).toString().toStdString();
  setConfig(c);
  dataset_->setChoice(static_cast<DatasetChooser::Choice>(s.value("train/dataset", 0).toInt()));
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

void TrainTab::showError(const QString& message, const QString& details) {
  error_->showMessage(message, details);
  appendLog(tr("error: %1").arg(details.isEmpty() ? message : details));
}

void TrainTab::appendLog(const QString& line) {
  log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + line);
}

void TrainTab::downloadData() {
  if (busy_) return;
  error_->clearMessage();
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
  const ErrorText text = describeDownloadError(message);
  showError(text.summary, text.details);
}

void TrainTab::start() {
  if (busy_) return;
  error_->clearMessage();
  TrainConfig c = config();
  const QString problem = dataset_->problem();
  if (!problem.isEmpty()) {
    showError(problem);
    return;
  }
  if (dataset_->needsMnist() && c.data_dir.empty()) {
    showError(tr("Choose the MNIST folder first."));
    return;
  }
  if (dataset_->needsMnist() && !missing_mnist_files(c.data_dir).empty()) {
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
  runConfig_ = c;  // what a click on the run's confusion matrix looks up, whatever the settings become

  charts_->reset(c.epochs);
  summary_->setText(tr("Training…"));
  confusion_->clearCounts();
  useModel_->setEnabled(false);
  openFolder_->setEnabled(false);
  modelPath_.clear();
  progress_->setValue(0);
  progress_->setFormat(tr("Loading %1…").arg(dataset_->datasetName()));
  appendLog(tr("training on %1 for %2 epoch(s), batch %3, learning rate %4, into %5")
                .arg(dataset_->datasetName())
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

void TrainTab::openRunFolder() {
  if (QDesktopServices::openUrl(QUrl::fromLocalFile(runFolder_))) return;
  // No file manager (or none that answered): say where the files are, so they can be found by hand.
  error_->showMessage(tr("No file manager could open the folder. The model files are in %1").arg(runFolder_));
  appendLog(tr("could not open %1 in a file manager").arg(runFolder_));
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
  // The summary names the files and their folder; the full paths are in the log and behind "Open folder".
  QString names = QFileInfo(QString::fromStdString(result.model_path.string())).fileName();
  if (!result.onnx_path.empty())
    names += tr(" and ") + QFileInfo(QString::fromStdString(result.onnx_path.string())).fileName();
  const QString saved = tr("%1 in %2").arg(names, QDir(runFolder_).dirName());
  if (result.test_accuracy) {
    showTestResult(result, saved);
  } else {
    progress_->setFormat(tr("Stopped · best model so far kept (epoch %1)").arg(result.best_epoch));
    summary_->setText(tr("Stopped after %1 epoch(s). The best model so far (epoch %2, validation accuracy %3%) "
                         "is saved as %4; it was not measured on the test set.")
                          .arg(result.epochs_completed)
                          .arg(result.best_epoch)
                          .arg(result.best_val_accuracy * 100, 0, 'f', 2)
                          .arg(saved.toHtmlEscaped()));
  }
  appendLog(tr("finished: %1").arg(files));
}

void TrainTab::showTestResult(const TrainResult& result, const QString& saved) {
  progress_->setValue(progress_->maximum());
  progress_->setFormat(tr("Done in %1 · test accuracy %2%")
                           .arg(QString::fromStdString(format_duration(result.wall_seconds)))
                           .arg(*result.test_accuracy * 100, 0, 'f', 2));
  summary_->setText(tr("<b>Test accuracy %1%</b> on %2 test images of %3. Best epoch %4 of %5 (validation %6%)%7. "
                       "Saved %8.")
                        .arg(*result.test_accuracy * 100, 0, 'f', 2)
                        .arg(result.confusion.total())
                        .arg(dataset_->datasetName().toHtmlEscaped())
                        .arg(result.best_epoch)
                        .arg(result.epochs_completed)
                        .arg(result.best_val_accuracy * 100, 0, 'f', 2)
                        .arg(result.early_stopped ? tr(", stopped early") : QString())
                        .arg(saved.toHtmlEscaped()));
  // The classes' names are in the run's metrics.json; a digit model's are "0".."9".
  std::vector<std::string> names;
  QFile metrics(QString::fromStdString(result.metrics_path.string()));
  if (metrics.open(QIODevice::ReadOnly)) {
    for (const QJsonValue& name : QJsonDocument::fromJson(metrics.readAll()).object().value("class_names").toArray())
      names.push_back(name.toString().toStdString());
  }
  const bool digits = names.empty() || ClassNoun::areDigits(names);
  predictedAxis_->setText(digits ? tr("predicted digit") : tr("predicted class"));
  trueAxis_->setText(digits ? tr("true digit") : tr("true class"));
  confusion_->setMatrix(result.confusion, names);
}

void TrainTab::onFailed(const QString& message) {
  setBusy(false);
  updateDataStatus();
  progress_->setFormat(tr("Failed"));
  summary_->setText(tr("The run failed; see the message above."));
  const ErrorText text = describeTrainingError(message);
  showError(text.summary, text.details);
}

}  // namespace digitlab::app
