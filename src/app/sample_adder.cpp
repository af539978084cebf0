#include "sample_adder.h"

#include "canvas_widget.h"
#include "image_convert.h"
#include "samples_folder.h"

#include <digitlab/sample_store.h>

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>

#include <exception>

namespace digitlab::app {

SampleAdder::SampleAdder(CanvasWidget* canvas, QWidget* parent) : QWidget(parent), canvas_(canvas) {
  auto* label = new QLabel(tr("Add to my sa&mples as:"), this);
  name_ = new QComboBox(this);
  name_->setObjectName("sampleName");
  name_->setEditable(true);
  name_->setInsertPolicy(QComboBox::NoInsert);
  name_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  name_->setMinimumContentsLength(6);
  name_->lineEdit()->setPlaceholderText(tr("name"));
  label->setBuddy(name_);
  add_ = new QPushButton(tr("&Add"), this);
  add_->setObjectName("addSample");
  correct_ = new QPushButton(tr("C&orrect it"), this);
  correct_->setObjectName("correctIt");
  correct_->setToolTip(tr("The answer is wrong: file the drawing under the right name"));
  correctMenu_ = new QMenu(correct_);
  correct_->setMenu(correctMenu_);
  correct_->setEnabled(false);
  setReadingNumbers(false);  // the tooltips

  connect(add_, &QPushButton::clicked, this, &SampleAdder::addAsNamed);
  connect(name_->lineEdit(), &QLineEdit::returnPressed, this, &SampleAdder::addAsNamed);
  connect(correctMenu_, &QMenu::triggered, this, [this](QAction* action) { add(action->data().toString()); });

  // Two short rows, so that it fits under the result panel at its least width.
  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setVerticalSpacing(4);
  layout->addWidget(label, 0, 0);
  layout->addWidget(name_, 0, 1, 1, 2);
  layout->addWidget(add_, 1, 1);
  layout->addWidget(correct_, 1, 2);
  layout->setColumnStretch(1, 1);
  layout->setColumnStretch(2, 1);
  setFolder(defaultSamplesFolder());
}

void SampleAdder::setClassNames(const std::vector<std::string>& names) {
  modelNames_ = names;
  correctMenu_->clear();
  for (const std::string& n : names) {
    const QString text = QString::fromStdString(n);
    // "&&": a name is shown as it is, never as a mnemonic.
    correctMenu_->addAction(QString(text).replace('&', "&&"))->setData(text);
  }
  updateNames();
}

void SampleAdder::setSuggestion(const QString& name) {
  correct_->setEnabled(!name.isEmpty() && !readingNumbers_);
  // A name typed for a series of samples stays; an empty field proposes the answer.
  if (!name.isEmpty() && this->name().isEmpty()) setName(name);
}

void SampleAdder::setReadingNumbers(bool on) {
  readingNumbers_ = on;
  name_->setEnabled(!on);
  add_->setEnabled(!on);
  if (on) correct_->setEnabled(false);  // "Correct it" comes back with the next single answer
  const QString why = tr("A sample is one digit or symbol: untick \"Read a number\" to add the drawing");
  name_->setToolTip(on ? why : tr("The class the drawing shows: one of the model's, or a new name of your own"));
  add_->setToolTip(on ? why : tr("Save the drawing in your samples under this name, to train on in the Train tab"));
}

void SampleAdder::setFolder(const QString& folder) {
  folder_ = folder;
  updateNames();
}

QString SampleAdder::name() const { return name_->currentText().trimmed(); }

void SampleAdder::setName(const QString& name) { name_->setCurrentText(name); }

void SampleAdder::updateNames() {
  const QString typed = name_->currentText();
  QStringList names;
  for (const std::string& n : modelNames_) names << QString::fromStdString(n);
  if (!folder_.isEmpty()) {
    for (const auto& [n, count] : SampleStore(folder_.toStdString()).counts()) {
      if (!names.contains(QString::fromStdString(n))) names << QString::fromStdString(n);
    }
  }
  name_->clear();
  name_->addItems(names);
  name_->setCurrentText(typed);
}

bool SampleAdder::add(const QString& name) {
  if (readingNumbers_) {
    Q_EMIT message(tr("Not added to my samples: a sample is one digit or symbol, and the drawing is read as a number"));
    return false;
  }
  if (canvas_->isEmpty()) {
    Q_EMIT message(tr("Nothing to add to my samples: the canvas is empty"));
    return false;
  }
  if (folder_.isEmpty()) {
    Q_EMIT message(tr("Cannot add to my samples: no data folder was found (set DIGITLAB_SAMPLES)"));
    return false;
  }
  try {
    const SampleStore store(folder_.toStdString());
    store.add(name.trimmed().toStdString(), toGrayImage(canvas_->image(), tr("the drawing")));
    const auto counts = store.counts();
    const auto found = counts.find(name.trimmed().toStdString());
    const int count = found == counts.end() ? 1 : found->second;
    setName(name.trimmed());
    updateNames();
    const QString samples = count == 1 ? tr("1 sample") : tr("%1 samples").arg(count);
    Q_EMIT message(tr("Added to my samples: %1 (%2)").arg(name.trimmed(), samples));
    Q_EMIT added(name.trimmed(), count);
    return true;
  } catch (const std::exception& e) {
    Q_EMIT message(tr("Cannot add to my samples: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
}

}  // namespace digitlab::app
