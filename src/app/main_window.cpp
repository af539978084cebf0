#include "main_window.h"

#include "app_icon.h"
#include "canvas_widget.h"
#include "class_noun.h"
#include "draw_tab.h"
#include "error_text.h"
#include "model_loader.h"
#include "model_locator.h"
#include "sample_adder.h"
#include "train_tab.h"
#include "upload_tab.h"

#include <digitlab/predictor.h>
#include <digitlab/runtime.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QUrl>

#include <exception>

namespace digitlab::app {
namespace {

const char* const kImageFilter =
    QT_TRANSLATE_NOOP("MainWindow", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tga);;All files (*)");

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("DigitLab"));
  setWindowIcon(appIcon());
  setAcceptDrops(true);

  tabs_ = new QTabWidget(this);
  draw_ = new DrawTab(tabs_);
  upload_ = new UploadTab(tabs_);
  train_ = new TrainTab(tabs_);
  tabs_->addTab(draw_, tr("&Draw"));
  tabs_->addTab(upload_, tr("&Upload"));
  tabs_->addTab(train_, tr("&Train"));
  tabs_->setDocumentMode(true);
  setCentralWidget(tabs_);

  modelLabel_ = new QLabel(this);
  modelLabel_->setObjectName("modelLabel");
  deviceLabel_ = new QLabel(this);
  // No stretch: the left of the bar stays free for messages ("Saved drawing.png", "Nothing to paste").
  trainingLabel_ = new QLabel(this);
  trainingLabel_->hide();
  statusBar()->addPermanentWidget(trainingLabel_);
  statusBar()->addPermanentWidget(modelLabel_);
  statusBar()->addPermanentWidget(deviceLabel_);
  const std::string device = resolve_device("auto");
  deviceLabel_->setText(device == "cuda"
                            ? tr("Device: %1 (prediction on CPU)").arg(QString::fromStdString(describe_device("cuda")))
                            : tr("Device: %1").arg(QString::fromStdString(describe_device("cpu"))));

  createMenus();
  connect(upload_, &UploadTab::openRequested, this, &MainWindow::chooseImage);
  connect(draw_, &DrawTab::statusMessage, this, [this](const QString& text) { statusBar()->showMessage(text, 8000); });
  // Whatever tab is open, the status bar shows that a run is going on.
  connect(train_, &TrainTab::activityChanged, this, [this](const QString& summary) {
    trainingLabel_->setText(summary);
    trainingLabel_->setVisible(!summary.isEmpty());
  });
  connect(upload_, &UploadTab::imageChanged, this, [this](const QString& name) {
    setWindowTitle(name.isEmpty() ? QStringLiteral("DigitLab") : tr("%1 – DigitLab").arg(name));
  });
  connect(train_, &TrainTab::useModelRequested, this, [this](const QString& path) {
    loadModelInBackground(path, /*byUser=*/true);
    loadMessage_ = tr("Now using the model just trained");
  });
  loader_ = new ModelLoader(this);
  connect(loader_, &ModelLoader::loaded, this, &MainWindow::onModelLoaded);
  connect(loader_, &ModelLoader::failed, this, &MainWindow::onModelFailed);
  trustPrompt_ = [this](const QString& path, const QString& reason) { return askToTrust(path, reason); };
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    const bool drawing = tabs_->widget(index) == draw_;
    undoAction_->setEnabled(drawing);
    clearAction_->setEnabled(drawing);
    saveDrawingAction_->setEnabled(drawing);
  });

  restoreSettings();
  // The model last used, if it is still there, else the bundled one: loaded in the background, so that the
  // window appears at once.
  const QString last = QSettings().value("model/path").toString();
  const QString bundled = bundledModelPath();
  if (!last.isEmpty() && QFileInfo(last).isFile()) {
    loadModelInBackground(last, /*byUser=*/false);
  } else if (!bundled.isEmpty()) {
    loadModelInBackground(bundled, /*byUser=*/false);
  } else {
    modelLabel_->setText(tr("No model: the bundled model was not found; use File > Load Model"));
  }
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open Image…"), this, &MainWindow::chooseImage);
  open->setShortcut(QKeySequence::Open);
  QAction* load = file->addAction(tr("&Load Model…"), this, &MainWindow::chooseModel);
  load->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  saveDrawingAction_ = file->addAction(tr("&Save Drawing…"), this, &MainWindow::saveDrawing);
  saveDrawingAction_->setShortcut(QKeySequence::Save);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  undoAction_ = edit->addAction(tr("&Undo Stroke"), draw_->canvas(), &CanvasWidget::undoStroke);
  undoAction_->setShortcut(QKeySequence::Undo);
  clearAction_ = edit->addAction(tr("&Clear Canvas"), draw_, &DrawTab::clear);
  clearAction_->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Escape)});
  edit->addSeparator();
  QAction* paste = edit->addAction(tr("&Paste Image"), this, &MainWindow::pasteImage);
  paste->setShortcut(QKeySequence::Paste);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* about = help->addAction(tr("&About DigitLab"), this, &MainWindow::showAbout);
  about->setMenuRole(QAction::AboutRole);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

bool MainWindow::loadModel(const QString& path, QString* error) {
  try {
    setPredictor(std::make_shared<const Predictor>(path.toStdString()));
  } catch (const std::exception& e) {
    const ErrorText text = describeModelError(path, QString::fromStdString(e.what()));
    if (error != nullptr) *error = text.summary;
    statusBar()->showMessage(text.summary, 10000);
    return false;
  }
  return true;
}

void MainWindow::setPredictor(std::shared_ptr<const Predictor> predictor) {
  predictor_ = std::move(predictor);
  draw_->setPredictor(predictor_);
  upload_->setPredictor(predictor_);
  train_->setCurrentModel(modelPath());
  updateStatus();
}

void MainWindow::loadModelInBackground(const QString& path, bool byUser) {
  loadByUser_ = byUser;
  loadMessage_.clear();
  modelLabel_->setText(tr("Loading model %1…").arg(QFileInfo(path).fileName()));
  loader_->load(path);
}

bool MainWindow::modelLoading() const { return loader_->busy(); }

void MainWindow::onModelLoaded(std::shared_ptr<const Predictor> predictor) {
  setPredictor(std::move(predictor));
  if (!loadMessage_.isEmpty()) statusBar()->showMessage(loadMessage_, 5000);
  Q_EMIT modelReady();
}

void MainWindow::onModelFailed(const QString& path, const QString& message, const QString& unsafeReason) {
  const ErrorText text = describeModelError(path, message);
  if (loadByUser_) {
    if (!unsafeReason.isEmpty() && trustPrompt_(path, unsafeReason)) {
      modelLabel_->setText(tr("Loading model %1…").arg(QFileInfo(path).fileName()));
      loader_->load(path, /*trusted=*/true);
      return;
    }
    updateStatus();
    if (unsafeReason.isEmpty()) showModelError(text);
    statusBar()->showMessage(text.summary, 10000);
    Q_EMIT modelFailed();
    return;
  }
  // At start-up: the last model is gone bad, so fall back to the bundled one.
  const QString bundled = bundledModelPath();
  if (!predictor_ && !bundled.isEmpty() && QFileInfo(path) != QFileInfo(bundled)) {
    statusBar()->showMessage(tr("The last model was not loaded. %1").arg(text.summary), 10000);
    loadModelInBackground(bundled, /*byUser=*/false);
    return;
  }
  if (predictor_) {
    updateStatus();
  } else {
    modelLabel_->setText(tr("No model. %1").arg(text.summary));
    modelLabel_->setToolTip(text.details);
  }
  Q_EMIT modelFailed();
}

void MainWindow::showModelError(const ErrorText& text) {
  QMessageBox box(QMessageBox::Warning, tr("Cannot load the model"), text.summary, QMessageBox::Ok, this);
  box.setDetailedText(text.details);  // "Show Details…": the full path and the library's message
  box.exec();
}

bool MainWindow::askToTrust(const QString& path, const QString& reason) {
  QMessageBox box(QMessageBox::Warning, tr("Run this model?"),
                  tr("DigitLab did not run %1: it %2.").arg(QFileInfo(path).fileName(), reason), QMessageBox::NoButton,
                  this);
  box.setInformativeText(tr("A model file is a program. Run it only if you trust where it came from."));
  QPushButton* run = box.addButton(tr("Run it anyway"), QMessageBox::AcceptRole);
  QPushButton* cancel = box.addButton(tr("Don't run it"), QMessageBox::RejectRole);
  box.setDefaultButton(cancel);
  box.setEscapeButton(cancel);
  box.exec();
  return box.clickedButton() == run;
}

void MainWindow::setSamplesFolder(const QString& folder) {
  draw_->sampleAdder()->setFolder(folder);
  train_->setSamplesFolder(folder);
}

QString MainWindow::modelPath() const {
  return predictor_ ? QString::fromStdString(predictor_->path().string()) : QString();
}

QString MainWindow::modelStatus() const { return modelLabel_->text(); }

QString MainWindow::trainingStatus() const { return trainingLabel_->isHidden() ? QString() : trainingLabel_->text(); }

void MainWindow::updateStatus() {
  if (!predictor_) return;
  const QFileInfo file(QString::fromStdString(predictor_->path().string()));
  const double accuracy = predictor_->test_accuracy();
  const QString name = file.dir().dirName() + "/" + file.fileName();
  modelLabel_->setText(accuracy >= 0 ? tr("Model: %1 · test accuracy %2%").arg(name).arg(accuracy * 100, 0, 'f', 2)
                                     : tr("Model: %1 · test accuracy unknown").arg(name));
  modelLabel_->setToolTip(file.absoluteFilePath());
}

bool MainWindow::openImageFile(const QString& path) {
  tabs_->setCurrentWidget(upload_);
  lastImageFolder_ = QFileInfo(path).absolutePath();
  return upload_->openFile(path);
}

void MainWindow::chooseImage() {
  const ClassNoun noun = predictor_ ? ClassNoun(predictor_->class_names()) : ClassNoun();
  const QString path =
      QFileDialog::getOpenFileName(this, noun.pick(tr("Open an image of a digit"), tr("Open an image of a symbol")),
                                   lastImageFolder_, tr(kImageFilter));
  if (!path.isEmpty()) openImageFile(path);
}

void MainWindow::chooseModel() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Load a TorchScript digit model"), lastModelFolder_,
                                                    tr("TorchScript models (*.pt *.pth);;All files (*)"));
  if (path.isEmpty()) return;
  lastModelFolder_ = QFileInfo(path).absolutePath();
  loadModelInBackground(path, /*byUser=*/true);
}

void MainWindow::saveDrawing() {
  if (draw_->canvas()->isEmpty()) {
    statusBar()->showMessage(tr("Nothing to save: the canvas is empty"), 5000);
    return;
  }
  QString path = QFileDialog::getSaveFileName(this, tr("Save the drawing"), lastImageFolder_ + "/digit.png",
                                              tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".png";
  // QImage::save writes under a temporary name only on some platforms: write beside and rename ourselves.
  const QString temporary = path + ".part";
  QFile::remove(temporary);
  if (!draw_->canvas()->image().save(temporary, "PNG") || (QFile::exists(path) && !QFile::remove(path)) ||
      !QFile::rename(temporary, path)) {
    QFile::remove(temporary);
    QMessageBox::warning(this, tr("Cannot save the drawing"), tr("Cannot write %1").arg(path));
    return;
  }
  lastImageFolder_ = QFileInfo(path).absolutePath();
  statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
}

void MainWindow::pasteImage() {
  const QMimeData* mime = QApplication::clipboard()->mimeData();
  if (mime == nullptr) return;
  if (mime->hasImage()) {
    tabs_->setCurrentWidget(upload_);
    upload_->openImage(qvariant_cast<QImage>(mime->imageData()), tr("the pasted image"));
  } else if (mime->hasUrls() && mime->urls().front().isLocalFile()) {
    openImageFile(mime->urls().front().toLocalFile());
  } else {
    statusBar()->showMessage(tr("The clipboard holds no image"), 5000);
  }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const QMimeData* mime = event->mimeData();
  if (mime->hasImage() || (mime->hasUrls() && mime->urls().front().isLocalFile())) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QMimeData* mime = event->mimeData();
  if (mime->hasUrls() && mime->urls().front().isLocalFile()) {
    openImageFile(mime->urls().front().toLocalFile());
  } else if (mime->hasImage()) {
    tabs_->setCurrentWidget(upload_);
    upload_->openImage(qvariant_cast<QImage>(mime->imageData()), tr("the dropped image"));
  }
  event->acceptProposedAction();
}

void MainWindow::showAbout() {
  QString model = tr("No model loaded");
  if (predictor_) {
    const double accuracy = predictor_->test_accuracy();
    model = tr("Model: %1<br>Test accuracy: %2")
                .arg(QString::fromStdString(predictor_->path().string()).toHtmlEscaped(),
                     accuracy >= 0 ? QString::number(accuracy * 100, 'f', 2) + "%" : tr("unknown"));
  }
  QMessageBox::about(this, tr("About DigitLab"),
                     tr("<h3>DigitLab %1</h3><p>Handwritten digit recognition: draw or upload a digit, or train "
                        "the network on MNIST.</p><p>%2</p><p>LibTorch %3 · Qt %4</p>"
                        "<p>MIT licence.</p>")
                         .arg(digitlab_version(), model, QString::fromStdString(torch_version()), qVersion()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (train_->busy()) {
    const auto answer =
        train_->downloading()
            ? QMessageBox::question(this, tr("MNIST is downloading"), tr("Cancel the download and quit?"))
            : QMessageBox::question(
                  this, tr("Training is running"),
                  tr("Stop training and quit? The best model so far is kept in %1.").arg(train_->lastRunFolder()));
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
  }
  saveSettings();
  event->accept();
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("window/tab", tabs_->currentIndex());
  settings.setValue("folders/images", lastImageFolder_);
  settings.setValue("folders/models", lastModelFolder_);
  settings.setValue("model/path", modelPath());
  draw_->saveSettings(settings);
  upload_->saveSettings(settings);
  train_->saveSettings(settings);
}

void MainWindow::restoreSettings() {
  QSettings settings;
  if (!restoreGeometry(settings.value("window/geometry").toByteArray())) {
    const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
    // Fits a 1366x768 or 1280x720 laptop screen with its taskbar.
    resize(QSize(1180, 680).boundedTo(screen.size()));
  }
  restoreState(settings.value("window/state").toByteArray());
  tabs_->setCurrentIndex(settings.value("window/tab", 0).toInt());
  lastImageFolder_ = settings.value("folders/images").toString();
  lastModelFolder_ = settings.value("folders/models").toString();
  draw_->restoreSettings(settings);
  upload_->restoreSettings(settings);
  train_->restoreSettings(settings);
}

}  // namespace digitlab::app
