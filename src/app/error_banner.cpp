#include "error_banner.h"

#include <QGridLayout>
#include <QLabel>
#include <QToolButton>

namespace digitlab::app {

ErrorBanner::ErrorBanner(QWidget* parent) : QFrame(parent) {
  setObjectName("errorBanner");
  setStyleSheet(
      "#errorBanner { background: #5a1d1d; border: 1px solid #f85149; border-radius: 4px; }"
      " #errorBanner QLabel { color: #ffdcd7; }"
      " #errorBanner QToolButton { color: #ffdcd7; border: 1px solid #f85149; border-radius: 3px; padding: 1px 6px; }");
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  detailsButton_ = new QToolButton(this);
  detailsButton_->setText(tr("Details"));
  detailsButton_->setCheckable(true);
  detailsButton_->setToolTip(tr("Show the full path and the technical message"));
  details_ = new QLabel(this);
  details_->setWordWrap(true);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  details_->setTextFormat(Qt::PlainText);
  details_->hide();
  connect(detailsButton_, &QToolButton::toggled, details_, &QLabel::setVisible);

  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(6, 4, 6, 4);
  layout->addWidget(message_, 0, 0);
  layout->addWidget(detailsButton_, 0, 1, Qt::AlignTop);
  layout->addWidget(details_, 1, 0, 1, 2);
  layout->setColumnStretch(0, 1);
  hide();
}

void ErrorBanner::showMessage(const QString& message, const QString& details) {
  message_->setText(message);
  details_->setText(details);
  detailsButton_->setChecked(false);
  detailsButton_->setVisible(!details.isEmpty());
  show();
}

void ErrorBanner::clearMessage() {
  hide();
  message_->clear();
  details_->clear();
  detailsButton_->setChecked(false);
}

QString ErrorBanner::message() const { return isHidden() ? QString() : message_->text(); }

QString ErrorBanner::details() const { return isHidden() ? QString() : details_->text(); }

bool ErrorBanner::detailsShown() const { return !isHidden() && !details_->isHidden(); }

}  // namespace digitlab::app
