#pragma once
// The Train tab: what to train on (MNIST, Fashion-MNIST, the user's own samples), the training settings, Start
// and Stop, a progress bar with ETA, live plots, a log, and at the end the test accuracy, the confusion matrix
// with the class names and "Use this model". Training runs on a worker thread.

#include <digitlab/train_recipe.h>
#include <digitlab/trainer.h>

#include <QElapsedTimer>
#include <QString>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QThread;

namespace digitlab::app {

class AxisLabel;
class ConfusionMatrixView;
class DatasetChooser;
class ErrorBanner;
class DownloadWorker;
class TrainingCharts;
class TrainingWorker;

class TrainTab : public QWidget {
  Q_OBJECT

 public:
  explicit TrainTab(QWidget* parent = nullptr);
  ~TrainTab() override;

  /// True while a run or a download is going on.
  bool busy() const { return busy_; }
  /// True while MNIST is being downloaded.
  bool downloading() const { return downloading_; }
  /// The settings the next run will use, read from the controls.
  TrainConfig config() const;
  /// Fills the controls from `config` (recipe, epochs, batch size, rate, augmentation, device, precision, limit,
  /// data).
  void setConfig(const TrainConfig& config);
  /// Sets the folder under which each run gets its own subfolder.
  void setOutputFolder(const QString& folder);
  /// The model in use (what "MNIST + my samples" fine-tunes).
  void setCurrentModel(const QString& path);
  /// The user's samples folder (what "My samples" trains on).
  void setSamplesFolder(const QString& folder);
  /// The choice of dataset.
  DatasetChooser* datasetChooser() const { return dataset_; }

  TrainingCharts* charts() const { return charts_; }
  QProgressBar* progressBar() const { return progress_; }
  QPushButton* useModelButton() const { return useModel_; }
  /// The message shown above the controls (errors), or empty.
  QString error() const;
  /// The folder of the last run, or empty.
  QString lastRunFolder() const { return runFolder_; }
  /// The folder under which each run gets its own subfolder.
  QString outputFolder() const;

  void saveSettings(QSettings& settings) const;
  void restoreSettings(const QSettings& settings);

 public Q_SLOTS:
  /// Starts a run with the current settings (or says why it cannot).
  void start();
  /// Asks the run to stop (it ends within a batch and keeps the best model so far), or cancels a download.
  void stop();
  /// Downloads the MNIST files missing from the data folder.
  void downloadData();

 Q_SIGNALS:
  /// "Use this model" was pressed for the TorchScript file at `path`.
  void useModelRequested(const QString& path);
  /// A run started (true) or ended (false).
  void busyChanged(bool busy);
  /// A one-line summary of a run in progress for outside the tab ("Training: epoch 3 of 30, 42%"), or empty
  /// when no run is going on.
  void activityChanged(const QString& summary);

 private:
  /// The run's last steps after its epochs (measuring on the test set, saving): said in the progress bar.
  void onPhase(const QString& what);
  // The constructor's steps, in this order: the order widgets are created in is the Tab key's order.
  void buildSettingsBox();
  /// The settings in a grid, in their box.
  void layOutSettings();
  /// Start, Stop, the progress bar and the error banner.
  void buildRunControls();
  /// The summary, the confusion matrix and the result buttons, in a box.
  QWidget* buildResultsBox();
  /// The plots and the log.
  void buildLiveViews();
  void layOut(QWidget* results);
  /// Starts the thread that runs the trainer and the downloader, and connects their signals.
  void connectWorker();
  void connectControls();
  /// Puts the epochs, batch size, rate and images of the chosen recipe and dataset into the controls.
  void applyRecipe();
  /// The recipe chosen in the Recipe list.
  Recipe recipe() const;
  /// Fills the summary and the confusion matrix (named from the run's metrics.json) of a run that was measured.
  void showTestResult(const digitlab::TrainResult& result, const QString& saved);

  /// "Open folder": the run's folder in the file manager, or, when none opens it, its path in the banner.
  void openRunFolder();
  void setBusy(bool busy);
  /// Shows `message` above the controls, with `details` behind its Details button, and logs it.
  void showError(const QString& message, const QString& details = QString());
  void appendLog(const QString& line);
  void updateDataStatus();
  /// Mixed precision applies on a GPU only: elsewhere the box is greyed out and unticked, and the user's
  /// choice (ampWanted_) comes back when a GPU device is chosen.
  void updateAmp();
  void onBatch(const digitlab::BatchStats& stats, double smoothedLoss);
  void onEpoch(const digitlab::EpochStats& stats);
  void onFinished(const digitlab::TrainResult& result);
  void onFailed(const QString& message);
  void onDownloadProgress(double fraction, const QString& file);
  void onDownloadFinished();
  void onDownloadFailed(const QString& message);

  DatasetChooser* dataset_;
  QComboBox* recipe_;
  QSpinBox* epochs_;
  QSpinBox* batchSize_;
  QDoubleSpinBox* learningRate_;
  QCheckBox* augment_;
  QComboBox* device_;
  QCheckBox* amp_;
  bool ampWanted_ = true;
  QCheckBox* joinedDigits_;  // TrainConfig::non_digits at kNonDigitsShare
  QCheckBox* writingStyles_;  // TrainConfig::writing_styles at kWritingStylesShare
  QSpinBox* limit_;
  QLineEdit* dataFolder_;
  QLabel* dataStatus_;
  QPushButton* download_;
  QLineEdit* outputFolder_;
  QPushButton* start_;
  QPushButton* stop_;
  QProgressBar* progress_;
  ErrorBanner* error_;
  TrainingCharts* charts_;
  QPlainTextEdit* log_;
  QLabel* summary_;
  ConfusionMatrixView* confusion_;
  AxisLabel* predictedAxis_;
  AxisLabel* trueAxis_;
  QPushButton* useModel_;
  QPushButton* openFolder_;
  QWidget* settingsBox_;

  QThread* thread_;
  TrainingWorker* worker_;
  DownloadWorker* downloader_;
  bool busy_ = false;
  bool startAfterDownload_ = false;
  bool downloading_ = false;
  bool cancelRequested_ = false;
  QElapsedTimer runTimer_;
  QString runFolder_;
  QString modelPath_;
  TrainConfig runConfig_;  ///< The settings of the run whose results are shown.
};

}  // namespace digitlab::app
