#pragma once
// Why the model gave its answer: a saliency map over the 28x28 input for one class, or for one class against
// another (why A and not B). Torch-free header, so the app may include it.
//
//   auto predictor = std::make_shared<const digitlab::Predictor>("models/digitnet.pt");
//   digitlab::Explainer explainer(predictor);
//   digitlab::Explanation e = explainer.explain(pixels);  // the predicted class, default method
//   digitlab::ExplainRequest why_not;
//   why_not.contrastive = true;                           // why the predicted class and not the runner-up
//   digitlab::Explanation c = explainer.explain(pixels, why_not);
//   // heatmap.h: heat(e.map) in [0, 1]; map_to_image() places it on the photo the digit came from.
//
// Methods: occlusion asks the Predictor itself (no gradients), so it explains any model that loads, foreign
// TorchScript models included. SmoothGrad and Grad-CAM need gradients: they run on a LibTorch DigitNet rebuilt
// from the model description in DigitLab's own model files, checked to give the Predictor's answers. A model
// without one falls back to occlusion, and the Explanation says so. Measured with the deletion test
// (tests/test_explainer.cpp), every method offered here points at ink that matters; plain Grad-CAM at the last
// block does not (its 7x7 grid is too coarse for a 28x28 digit), so it is offered only combined with the
// pixel-level gradient.

#include <digitlab/predictor.h>

#include <memory>
#include <string>
#include <vector>

namespace digitlab {

struct ImageReading;

/// How a saliency map is made.
enum class ExplainMethod {
  kAuto,        ///< The default: occlusion, for every model (it scored best in the deletion test).
  kOcclusion,   ///< Patches of the input blacked out in turn; the change in the Predictor's answer. Any model.
  kSmoothGrad,  ///< SmoothGrad x input: the input gradient averaged over noisy copies, times the input. DigitNet.
  kGradCam,     ///< Grad-CAM at the last convolution, upsampled to 28x28, times gradient x input. DigitNet.
};

/// The method's name as the CLI spells it ("auto", "occlusion", "smoothgrad", "gradcam").
std::string method_name(ExplainMethod method);
/// The method named `name` (method_name()'s spellings); throws std::invalid_argument listing them otherwise.
ExplainMethod parse_method(const std::string& name);

/// What to explain.
struct ExplainRequest {
  ExplainMethod method = ExplainMethod::kAuto;  ///< Falls back to occlusion when the model has no gradients.
  int target = -1;                              ///< Class A to explain; -1: the predicted class.
  bool contrastive = false;                     ///< Explain A against class `versus`: why A and not B.
  int versus = -1;                              ///< Class B when contrastive; -1: the runner-up to A.
};

/// A saliency map over the model input.
struct Explanation {
  /// kInputPixels values, row-major in model-input coordinates: positive where the pixel is evidence for the target
  /// (against `versus` when contrastive), negative where it speaks against it; in units of log-odds (occlusion) or
  /// log-odds per unit of ink (gradients), comparable within one map only. heat() turns it into [0, 1].
  std::vector<float> map;
  ExplainMethod method = ExplainMethod::kOcclusion;  ///< The method that made the map (never kAuto).
  int target = -1;                                   ///< The class explained.
  int versus = -1;                                   ///< The class it was contrasted with; -1 when not contrastive.
  Prediction prediction;                             ///< The model's answer for the input.
  std::string note;  ///< Why `method` is not the one requested (e.g. a foreign model has no gradients); else empty.
};

/// Explains a Predictor's answers. explain() may be called from several threads at once.
class Explainer {
 public:
  /// Prepares explanations for `predictor`'s model: rebuilds its DigitNet for the gradient methods when it is one of
  /// DigitLab's models (re-reading the file), else notes why only occlusion is available. Throws
  /// std::invalid_argument for a null predictor; never throws for a foreign model.
  explicit Explainer(std::shared_ptr<const Predictor> predictor);
  ~Explainer();
  Explainer(Explainer&&) noexcept;
  Explainer& operator=(Explainer&&) noexcept;

  /// A map for `input` (kInputPixels floats in [0,1], as Predictor::predict takes). Throws std::invalid_argument
  /// for a wrong pixel count or a class outside 0..num_classes-1 (or a contrast class equal to the target), and
  /// what Predictor::predict throws.
  Explanation explain(const std::vector<float>& input, const ExplainRequest& request = {}) const;
  /// One map per digit of a reading (each digit's input28), in the reading's order; each digit's target is its own
  /// predicted class unless `request` names one.
  std::vector<Explanation> explain_reading(const ImageReading& reading, const ExplainRequest& request = {}) const;

  /// True when `method` runs on this model as asked (kAuto and occlusion always; the gradient methods need DigitNet).
  bool supports(ExplainMethod method) const;
  /// Why the gradient methods are unavailable for this model; empty when they are available.
  const std::string& gradient_note() const;
  /// The Predictor explained.
  const Predictor& predictor() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace digitlab
