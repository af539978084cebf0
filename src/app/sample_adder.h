#pragma once
// The Draw tab's "Add to my samples as [name] Add" row and its "Correct it" menu: files the canvas's drawing under
// a class name in the user's samples folder (SampleStore: a folder per class), which the Train tab trains on.

#include <QString>
#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QMenu;
class QPushButton;

namespace digitlab::app {

class CanvasWidget;

class SampleAdder : public QWidget {
  Q_OBJECT

 public:
  /// A row that adds what `canvas` shows to the samples folder (defaultSamplesFolder() at first).
  explicit SampleAdder(CanvasWidget* canvas, QWidget* parent = nullptr);

  /// The model's class names: offered in the name field (with the classes already in the folder) and in the
  /// "Correct it" menu.
  void setClassNames(const std::vector<std::string>& names);
  /// The answer just read ("7"), empty when there is none: "Correct it" needs one, and an empty name field
  /// proposes it.
  void setSuggestion(const QString& name);
  /// Whether the canvas is read as a number. A sample is one digit or symbol, so the row is off then, with a
  /// tooltip that says why, and add() refuses.
  void setReadingNumbers(bool on);
  /// The folder the samples go to (a folder per class in it).
  void setFolder(const QString& folder);
  QString folder() const { return folder_; }
  /// The name in the field.
  QString name() const;
  void setName(const QString& name);
  /// The "Correct it" menu: one action per class name.
  QMenu* correctionMenu() const { return correctMenu_; }

 public Q_SLOTS:
  /// Files the drawing under `name`; says how it went through message(). False when nothing was added.
  bool add(const QString& name);
  /// Files the drawing under the name in the field.
  bool addAsNamed() { return add(name()); }

 Q_SIGNALS:
  /// A line for the status bar: "Added to my samples: 7 (12 samples)", or why nothing was added.
  void message(const QString& text);
  /// A drawing was filed; `count` samples of `name` are now in the folder.
  void added(const QString& name, int count);

 private:
  /// Fills the name field's list: the model's names, then the folder's other classes.
  void updateNames();

  CanvasWidget* canvas_;
  QComboBox* name_;
  QPushButton* add_;
  QPushButton* correct_;
  QMenu* correctMenu_;
  QString folder_;
  std::vector<std::string> modelNames_;
  bool readingNumbers_ = false;
};

}  // namespace digitlab::app
