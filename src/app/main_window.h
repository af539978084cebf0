#pragma once
// DigitLab's main window: Draw, Upload and Train tabs, the File/Edit/Help menus, and a status bar with the
// active model, its accuracy and the device. It owns the Predictor that both reading tabs share.

#include <QMainWindow>
#include <QString>

#include <functional>
#include <memory>

class QAction;
class QLabel;
class QTabWidget;

namespace digitlab {
class Predictor;
}

namespace digitlab::app {

class DrawTab;
class ModelLoader;
class TrainTab;
class UploadTab;
struct ErrorText;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Loads a TorchScript model and makes it the active one, on this thread. On failure the previous model stays,
  /// and the reason is returned in *error (when given) and shown in the status bar.
  bool loadModel(const QString& path, QString* error = nullptr);
  /// Loads a model on a worker thread, the window staying responsive ("Loading model…" in the status bar); the
  /// previous model stays active until it is ready. When `byUser`, failures are shown in a dialog and a model
  /// refused as unsafe is run only if the user says they trust it (a question that defaults to No).
  void loadModelInBackground(const QString& path, bool byUser);
  /// True while a model loads in the background.
  bool modelLoading() const;
  /// Replaces the question asked before running a model refused as unsafe (tests answer it without a dialog).
  void setTrustPrompt(std::function<bool(const QString& path, const QString& reason)> prompt) {
    trustPrompt_ = std::move(prompt);
  }
  /// The folder of the user's own samples, which the Draw tab adds to and the Train tab trains on
  /// ($DIGITLAB_SAMPLES or SampleStore::default_root() at first).
  void setSamplesFolder(const QString& folder);
  /// The active model file, or empty when none is loaded.
  QString modelPath() const;

  DrawTab* drawTab() const { return draw_; }
  UploadTab* uploadTab() const { return upload_; }
  TrainTab* trainTab() const { return train_; }
  QTabWidget* tabs() const { return tabs_; }
  /// The model text in the status bar.
  QString modelStatus() const;
  /// The training summary in the status bar ("Training: epoch 1 of 2, 40%"), empty when no run is going on.
  QString trainingStatus() const;

 Q_SIGNALS:
  /// A model finished loading in the background and is now the active one.
  void modelReady();
  /// A model failed to load in the background (the previous one, if any, stays).
  void modelFailed();

 public Q_SLOTS:
  /// Shows an image file in the Upload tab: what File > Open Image, drag and drop and the command line use.
  bool openImageFile(const QString& path);
  /// Shows the clipboard's image (or image file) in the Upload tab.
  void pasteImage();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void chooseImage();
  void chooseModel();
  void saveDrawing();
  void showAbout();
  void updateStatus();
  void setPredictor(std::shared_ptr<const Predictor> predictor);
  void onModelLoaded(std::shared_ptr<const Predictor> predictor);
  void onModelFailed(const QString& path, const QString& message, const QString& unsafeReason);
  bool askToTrust(const QString& path, const QString& reason);
  /// The dialog for a model the user chose that cannot be loaded: the reason, and the details on demand.
  void showModelError(const ErrorText& text);
  void saveSettings() const;
  void restoreSettings();

  QTabWidget* tabs_;
  DrawTab* draw_;
  UploadTab* upload_;
  TrainTab* train_;
  QLabel* modelLabel_;
  QLabel* trainingLabel_;
  QLabel* deviceLabel_;
  QAction* undoAction_ = nullptr;
  QAction* clearAction_ = nullptr;
  QAction* saveDrawingAction_ = nullptr;
  std::shared_ptr<const Predictor> predictor_;
  ModelLoader* loader_;
  bool loadByUser_ = false;  ///< The load in progress was asked for by the user (not the start-up one).
  QString loadMessage_;      ///< Shown in the status bar when the load succeeds.
  std::function<bool(const QString&, const QString&)> trustPrompt_;
  QString lastImageFolder_;
  QString lastModelFolder_;
};

}  // namespace digitlab::app
