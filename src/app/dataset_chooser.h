#pragma once
// The Train tab's choice of what to train on, and how: MNIST (the default recipe), Fashion-MNIST (when Debian's
// dataset-fashion-mnist is installed), "My samples (new classes)" (the user's samples folder, from the bundled
// model's features with a new output layer) or "MNIST + my samples (fine-tune)" (from the model in use, a quick
// recipe). Under the choice it lists how many samples each class of the samples folder has, and warns about
// classes with too few.

#include <digitlab/trainer.h>

#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;

namespace digitlab::app {

class DatasetChooser : public QWidget {
  Q_OBJECT

 public:
  /// What to train on.
  enum class Choice { kMnist, kFashionMnist, kMySamples, kMnistPlusMySamples };

  explicit DatasetChooser(QWidget* parent = nullptr);

  Choice choice() const;
  /// Selects `choice` without choiceChanged() (false when it is not offered: Fashion-MNIST is not installed).
  bool setChoice(Choice choice);
  /// The choice that trains on `source` (MNIST when unset).
  static Choice choiceFor(const std::optional<DatasetSource>& source);
  /// The dataset's name for people: "MNIST", "Fashion-MNIST", "my samples", "MNIST + my samples".
  QString datasetName() const;
  /// True when the choice reads MNIST (and so needs its folder).
  bool needsMnist() const;

  /// The user's samples folder.
  void setSamplesFolder(const QString& folder);
  QString samplesFolder() const { return samplesFolder_; }
  /// The model in use, which "MNIST + my samples" fine-tunes.
  void setCurrentModel(const QString& path) { currentModel_ = path; }

  /// The recipe suited to the choice (epochs, batch size, learning rate, images), for the tab's controls.
  TrainConfig recipe() const;
  /// Sets what `config` trains on (dataset, starting model) for the choice, with the settings the controls do
  /// not show (patience, test images); `mnistDir` is the MNIST folder.
  void apply(TrainConfig& config, const std::filesystem::path& mnistDir) const;
  /// Why the choice cannot train now ("My samples need at least 2 classes..."), or empty.
  QString problem() const;
  /// The line under the choice: the samples per class and the classes with too few, or empty.
  QString samplesSummary() const;

 public Q_SLOTS:
  /// Counts the samples folder again.
  void refresh();

 Q_SIGNALS:
  /// Another dataset was picked in the list.
  void choiceChanged(Choice choice);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QComboBox* combo_;
  QLabel* samples_;
  QString samplesFolder_;
  QString currentModel_;
};

}  // namespace digitlab::app
