#pragma once
// What one cell of the confusion matrix holds: the test images of true class A that the run's model read as B
// (the 4s read as 9), each with the map of where the model found its evidence for B. The saved model is measured
// again on the test set on a worker thread to find them.

#include <digitlab/trainer.h>

#include <QDialog>
#include <QImage>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <vector>

class QLabel;
class QListWidget;

namespace digitlab::app {

class ConfusionCellDialog : public QDialog {
  Q_OBJECT

 public:
  /// Most images listed.
  static constexpr int kMostShown = 60;
  /// Item data roles of the list: the image's true class and the model's answer.
  static constexpr int kTrueRole = Qt::UserRole;
  static constexpr int kPredictedRole = Qt::UserRole + 1;

  /// Starts looking for the test images of class `trueClass` predicted as `predictedClass` by the TorchScript model
  /// at `modelPath`, in the test set `config` trains on (its dataset, else MNIST in its data_dir).
  ConfusionCellDialog(const QString& modelPath, const TrainConfig& config, int trueClass, int predictedClass,
                      QWidget* parent = nullptr);
  ~ConfusionCellDialog() override;

  /// True once the images are listed (or the search failed).
  bool finished() const { return finished_; }
  /// The list of images.
  QListWidget* list() const { return list_; }
  /// The line above the images ("23 test images of 4 were read as 9").
  QString summary() const;

  /// One image found.
  struct Found {
    QImage picture;  ///< The 28x28 image with its map over it.
    int trueClass = -1;
    int predicted = -1;
    float confidence = 0;
  };
  /// What the search found.
  struct Outcome {
    std::vector<Found> images;
    int total = 0;     ///< Images in the cell (more than shown when over kMostShown).
    QString trueName;  ///< The classes' names.
    QString predictedName;
    QString method;  ///< The explanation method used.
    QString error;   ///< Why nothing was found; else empty.
  };

 private:
  void showOutcome(const Outcome& outcome);

  QLabel* summary_;
  QListWidget* list_;
  QThreadPool pool_;
  std::shared_ptr<std::atomic<bool>> stop_;
  bool finished_ = false;
};

}  // namespace digitlab::app
