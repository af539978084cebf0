#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>

#include "front/engine.h"
#include "front/occlusion.h"

#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace digitlab {
namespace {

struct NamedMethod {
  ExplainMethod method;
  const char* name;
};
constexpr NamedMethod kMethods[] = {{ExplainMethod::kAuto, "auto"},
                                    {ExplainMethod::kOcclusion, "occlusion"},
                                    {ExplainMethod::kSmoothGrad, "smoothgrad"},
                                    {ExplainMethod::kGradCam, "gradcam"}};

/// The method kAuto stands for. Occlusion: the best in the deletion test (tests/test_explainer.cpp), it works for
/// every model, and it is fast on the Predictor's batch path.
constexpr ExplainMethod kDefaultMethod = ExplainMethod::kOcclusion;

bool needs_gradients(ExplainMethod method) {
  return method == ExplainMethod::kSmoothGrad || method == ExplainMethod::kGradCam;
}

void check_class(int c, int classes, const char* what) {
  if (c < 0 || c >= classes) {
    throw std::invalid_argument(std::string("explain: ") + what + " class " + std::to_string(c) + " is not one of 0.." +
                                std::to_string(classes - 1));
  }
}

/// The most probable class other than `target`.
int runner_up(const Prediction& prediction, int target) {
  for (const int c : top_classes(prediction, 2)) {
    if (c != target) return c;
  }
  return target == 0 ? 1 : 0;
}

}  // namespace

std::string method_name(ExplainMethod method) {
  for (const auto& m : kMethods) {
    if (m.method == method) return m.name;
  }
  return "unknown";
}

ExplainMethod parse_method(const std::string& name) {
  std::string known;
  for (const auto& m : kMethods) {
    if (name == m.name) return m.method;
    known += std::string(known.empty() ? "" : ", ") + m.name;
  }
  throw std::invalid_argument("unknown explanation method '" + name + "' (expected one of: " + known + ")");
}

class Explainer::Impl {
 public:
  explicit Impl(std::shared_ptr<const Predictor> predictor) : predictor_(std::move(predictor)) {
    if (!predictor_) throw std::invalid_argument("Explainer: no predictor");
  }

  /// The gradient explainer, made on first need: it needs the LibTorch engine, which occlusion does not.
  const GradientBackend* gradients() const {
    std::call_once(gradients_made_, [this] {
      try {
        gradients_ = engine().gradient_explainer(*predictor_, &gradient_note_);
      } catch (const std::exception& e) {
        gradient_note_ = e.what();
      }
      if (!gradients_ && gradient_note_.empty()) gradient_note_ = "the model has no DigitNet to take gradients of";
    });
    return gradients_.get();
  }

  Explanation explain(const std::vector<float>& input, const ExplainRequest& request) const {
    Explanation e;
    e.prediction = predictor_->predict(input);  // checks the pixel count
    const int classes = predictor_->num_classes();
    e.target = request.target < 0 ? e.prediction.label : request.target;
    check_class(e.target, classes, "target");
    if (request.contrastive) {
      e.versus = request.versus < 0 ? runner_up(e.prediction, e.target) : request.versus;
      check_class(e.versus, classes, "contrast");
      if (e.versus == e.target) throw std::invalid_argument("explain: a class cannot be contrasted with itself");
    }
    e.method = resolve(request.method, &e.note);
    e.map = make_map(e.method, input, e.target, e.versus);
    return e;
  }

  ExplainMethod resolve(ExplainMethod requested, std::string* note) const {
    if (requested == ExplainMethod::kAuto) return kDefaultMethod;
    if (needs_gradients(requested) && !gradients()) {
      *note = method_name(requested) + " needs gradients, which this model cannot give (" + gradient_note_ +
              "): occlusion instead";
      return ExplainMethod::kOcclusion;
    }
    return requested;
  }

  std::vector<float> make_map(ExplainMethod method, const std::vector<float>& input, int target, int versus) const {
    switch (method) {
      case ExplainMethod::kSmoothGrad:
        return gradients()->smoothgrad(input, target, versus);
      case ExplainMethod::kGradCam:
        return gradients()->gradcam(input, target, versus);
      default:
        return occlusion_map(*predictor_, input, target, versus);
    }
  }

  std::shared_ptr<const Predictor> predictor_;
  mutable std::once_flag gradients_made_;
  mutable std::unique_ptr<GradientBackend> gradients_;  ///< Set for DigitLab's own models, once needed.
  mutable std::string gradient_note_;
};

Explainer::Explainer(std::shared_ptr<const Predictor> predictor)
    : impl_(std::make_unique<Impl>(std::move(predictor))) {}
Explainer::~Explainer() = default;
Explainer::Explainer(Explainer&&) noexcept = default;
Explainer& Explainer::operator=(Explainer&&) noexcept = default;

Explanation Explainer::explain(const std::vector<float>& input, const ExplainRequest& request) const {
  return impl_->explain(input, request);
}

std::vector<Explanation> Explainer::explain_reading(const ImageReading& reading, const ExplainRequest& request) const {
  std::vector<Explanation> explanations;
  explanations.reserve(reading.digits.size());
  for (const auto& digit : reading.digits) explanations.push_back(explain(digit.input.input28.pixels(), request));
  return explanations;
}

bool Explainer::supports(ExplainMethod method) const {
  return !needs_gradients(method) || impl_->gradients() != nullptr;
}
const std::string& Explainer::gradient_note() const {
  impl_->gradients();
  return impl_->gradient_note_;
}
const Predictor& Explainer::predictor() const { return *impl_->predictor_; }

}  // namespace digitlab
