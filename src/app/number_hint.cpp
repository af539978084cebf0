#include "number_hint.h"

#include "class_noun.h"

#include <digitlab/digit_reader.h>
#include <digitlab/predictor.h>

#include <exception>
#include <utility>

namespace digitlab::app {
namespace {

/// The href of the hint's link.
constexpr char kNumberLink[] = "number-mode";

/// The digits of `image` read as a number, or 0 unless there are two or more and the least sure of them is sure
/// enough: a single digit in pieces reads as unsure digits, and says nothing.
int surelyReadDigits(const Predictor& predictor, const GrayImage& image, const PreprocessOptions& preprocess) {
  ReadOptions options;
  options.number = true;
  options.preprocess = preprocess;
  const ImageReading reading = read_digits(predictor, image, options);
  if (reading.digits.size() < 2 || reading.confidence() < kUnsureBelow) return 0;
  return static_cast<int>(reading.digits.size());
}

}  // namespace

NumberHint::NumberHint(QWidget* parent) : QLabel(parent) {
  setObjectName("numberHint");
  setWordWrap(true);
  setTextFormat(Qt::RichText);
  setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
  setFrameShape(QFrame::StyledPanel);
  setMargin(4);
  hide();
  pool_.setMaxThreadCount(1);
  connect(this, &QLabel::linkActivated, this, [this](const QString& link) {
    if (link == QLatin1String(kNumberLink)) Q_EMIT numberModeRequested();
  });
}

NumberHint::~NumberHint() {
  pool_.clear();
  pool_.waitForDone();
}

void NumberHint::setPredictor(std::shared_ptr<const Predictor> predictor) {
  predictor_ = std::move(predictor);
  digitModel_ = predictor_ && ClassNoun::areDigits(predictor_->class_names());
  dismiss();
}

void NumberHint::check(const GrayImage& image, const PreprocessOptions& preprocess) {
  dismiss();
  if (!predictor_ || !digitModel_ || image.empty()) return;
  next_ = Job{image, preprocess};
  waiting_ = true;
  startNext();
}

void NumberHint::dismiss() {
  ++generation_;
  waiting_ = false;
  next_ = Job{};
  digits_ = 0;
  hide();
}

void NumberHint::startNext() {
  if (running_ || !waiting_) return;
  waiting_ = false;
  running_ = true;
  pool_.start([this, job = std::move(next_), generation = generation_, predictor = predictor_] {
    int digits = 0;
    try {
      digits = surelyReadDigits(*predictor, job.image, job.preprocess);
    } catch (const std::exception&) {
      digits = 0;  // a model that fails here fails in the reading shown too, which says why
    }
    QMetaObject::invokeMethod(
        this, [this, digits, generation] { finish(digits, generation); }, Qt::QueuedConnection);
  });
  next_ = Job{};
}

void NumberHint::finish(int digits, quint64 generation) {
  running_ = false;
  if (generation == generation_ && digits >= 2) {
    digits_ = digits;
    setText(tr("This looks like a number of %1 digits: tick <a href=\"%2\">Read a number</a> to read them all")
                .arg(digits)
                .arg(QLatin1String(kNumberLink)));
    show();
  }
  startNext();
}

}  // namespace digitlab::app
