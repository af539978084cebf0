#pragma once
// DigitLab's main window: Draw, Upload and Train tabs, the File/Edit/Help menus, and a status bar with the
// active model, its accuracy and the device. It owns the Predictor that both reading tabs share.

#include <QMainWindow>
#include <QString>

#include <memory>

class QAction;
class QLabel;
class QTabWidget;

namespace digitlab {
class Predictor;
}

namespace digitlab::app {

class DrawTab;
class TrainTab;
class UploadTab;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Loads a TorchScript model and makes it the active one. On failure the previous model stays, and the reason
  /// is returned in *error (when given) and shown in the status bar.
  bool loadModel(const QString& path, QString* error = nullptr);
  /// The active model file, or empty when none is loaded.
  QString modelPath() const;

  DrawTab* drawTab() const { return draw_; }
  UploadTab* uploadTab() const { return upload_; }
  TrainTab* trainTab() const { return train_; }
  QTabWidget* tabs() const { return tabs_; }
  /// The model text in the status bar.
  QString modelStatus() const;

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
  void saveSettings() const;
  void restoreSettings();

  QTabWidget* tabs_;
  DrawTab* draw_;
  UploadTab* upload_;
  TrainTab* train_;
  QLabel* modelLabel_;
  QLabel* deviceLabel_;
  QAction* undoAction_ = nullptr;
  QAction* clearAction_ = nullptr;
  QAction* saveDrawingAction_ = nullptr;
  std::shared_ptr<const Predictor> predictor_;
  QString lastImageFolder_;
  QString lastModelFolder_;
};

}  // namespace digitlab::app
