#pragma once
// A red message strip shown above a tab's content when something could not be done (an unreadable file, a failed
// training run); hidden otherwise. Used instead of modal dialogs, so the app keeps working.

#include <QLabel>

namespace digitlab::app {

class ErrorBanner : public QLabel {
  Q_OBJECT

 public:
  explicit ErrorBanner(QWidget* parent = nullptr);

  /// Shows `message`.
  void showMessage(const QString& message);
  /// The message shown, or empty when hidden.
  QString message() const { return isHidden() ? QString() : text(); }
};

}  // namespace digitlab::app
