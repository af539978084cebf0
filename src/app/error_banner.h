#pragma once
// A red message strip shown above a tab's content when something could not be done (an unreadable file, a failed
// training run); hidden otherwise. Used instead of modal dialogs, so the app keeps working. It says what went wrong
// in a user's words; the technical text (the full path, the library's message) waits behind "Details".

#include <QFrame>

class QLabel;
class QToolButton;

namespace digitlab::app {

class ErrorBanner : public QFrame {
  Q_OBJECT

 public:
  explicit ErrorBanner(QWidget* parent = nullptr);

  /// Shows `message`, and a "Details" button that reveals `details` when those are given.
  void showMessage(const QString& message, const QString& details = QString());
  /// Hides the banner and forgets its text.
  void clearMessage();
  /// The message shown, or empty when hidden.
  QString message() const;
  /// The technical details behind "Details", or empty when hidden or when there are none.
  QString details() const;
  /// The button that shows and hides the details.
  QToolButton* detailsButton() const { return detailsButton_; }
  /// Whether the details are shown.
  bool detailsShown() const;

 private:
  QLabel* message_;
  QToolButton* detailsButton_;
  QLabel* details_;
};

}  // namespace digitlab::app
