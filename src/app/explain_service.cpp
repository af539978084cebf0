#include "explain_service.h"

#include "heat_image.h"

#include <digitlab/heatmap.h>

#include <exception>
#include <utility>

namespace digitlab::app {

/// The Explainer of the last model a job asked about; touched by the worker only (the pool has one thread).
struct ExplainService::Cache {
  std::shared_ptr<const Predictor> predictor;
  std::unique_ptr<Explainer> explainer;
};

namespace {

std::vector<float> pixelsOf(const DigitReading& digit) {
  const GrayImage& input = digit.input.input28;
  return {input.data(), input.data() + input.size()};
}

/// The pair of contrastive maps when `digit`'s answer is unsure: why the top class and not the runner-up, and back.
std::vector<Explanation> unsurePair(const Explainer& explainer, const DigitReading& digit, ExplainMethod method) {
  const std::vector<int> top = top_classes(digit.prediction, 2);
  if (digit.prediction.confidence() >= kUnsureBelow || top.size() < 2) return {};
  std::vector<Explanation> pair;
  for (int i = 0; i < 2; ++i) {
    ExplainRequest request;
    request.method = method;
    request.target = top[static_cast<size_t>(i)];
    request.contrastive = true;
    request.versus = top[static_cast<size_t>(1 - i)];
    pair.push_back(explainer.explain(pixelsOf(digit), request));
  }
  return pair;
}

ExplainOutcome compute(const Explainer& explainer, const ExplainJob& job) {
  ExplainOutcome out;
  const auto& digits = job.reading.digits;
  for (size_t i = 0; i < digits.size(); ++i) {
    ExplainRequest request;
    request.method = job.method;
    request.target = static_cast<int>(i) == job.focus ? job.target : -1;
    out.digits.push_back(explainer.explain(pixelsOf(digits[i]), request));
  }
  if (job.target < 0 && job.focus >= 0 && static_cast<size_t>(job.focus) < digits.size())
    out.pair = unsurePair(explainer, digits[static_cast<size_t>(job.focus)], job.method);
  const int w = job.original.width();
  const int h = job.original.height();
  out.heatOnOriginal = heatToQImage(place_on_image(job.reading, out.digits, w, h), w, h);
  return out;
}

}  // namespace

ExplainService::ExplainService(QObject* parent) : QObject(parent), cache_(std::make_shared<Cache>()) {
  pool_.setMaxThreadCount(1);
}

ExplainService::~ExplainService() {
  pool_.clear();
  pool_.waitForDone();
}

void ExplainService::setPredictor(std::shared_ptr<const Predictor> predictor) {
  predictor_ = std::move(predictor);
  cancel();
}

void ExplainService::request(ExplainJob job) {
  ++generation_;
  next_ = std::move(job);
  waiting_ = true;
  startNext();
}

void ExplainService::cancel() {
  ++generation_;
  waiting_ = false;
}

void ExplainService::startNext() {
  if (running_ || !waiting_ || !predictor_) return;
  waiting_ = false;
  running_ = true;
  pool_.start([this, job = std::move(next_), generation = generation_, predictor = predictor_, cache = cache_] {
    ExplainOutcome outcome;
    try {
      // The Explainer re-reads the model file: made once per model, here rather than on the GUI thread.
      if (cache->predictor != predictor) {
        cache->explainer = std::make_unique<Explainer>(predictor);
        cache->predictor = predictor;
      }
      outcome = compute(*cache->explainer, job);
    } catch (const std::exception& e) {
      outcome.error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this, [this, outcome = std::move(outcome), generation] { finish(outcome, generation); }, Qt::QueuedConnection);
  });
}

void ExplainService::finish(const ExplainOutcome& outcome, quint64 generation) {
  running_ = false;
  if (generation == generation_) Q_EMIT ready(outcome);
  startNext();
}

}  // namespace digitlab::app
