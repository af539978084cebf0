#include "error_banner.h"

namespace digitlab::app {

ErrorBanner::ErrorBanner(QWidget* parent) : QLabel(parent) {
  setWordWrap(true);
  setTextInteractionFlags(Qt::TextSelectableByMouse);
  setStyleSheet(
      "QLabel { background: #5a1d1d; color: #ffdcd7; border: 1px solid #f85149;"
      " border-radius: 4px; padding: 6px; }");
  hide();
}

void ErrorBanner::showMessage(const QString& message) {
  setText(message);
  show();
}

}  // namespace digitlab::app
