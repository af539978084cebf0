#pragma once
// A chart or table axis title: one line of text, drawn across (horizontal) or upwards (vertical), that takes
// only the room its text needs.

#include <QString>
#include <QWidget>

namespace digitlab::app {

class AxisLabel : public QWidget {
  Q_OBJECT

 public:
  AxisLabel(const QString& text, Qt::Orientation orientation, QWidget* parent = nullptr);

  /// The text shown.
  const QString& text() const { return text_; }
  /// Shows `text` instead (also its accessible name).
  void setText(const QString& text);
  Qt::Orientation orientation() const { return orientation_; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return sizeHint(); }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString text_;
  Qt::Orientation orientation_;
};

}  // namespace digitlab::app
