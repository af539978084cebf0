// libdigitlab_engine.so: everything DigitLab does with LibTorch, behind the Engine interface (src/core/front/engine.h),
// loaded by the CLI and the app only when they need it.
#include "front/engine.h"

#include <digitlab/evaluator.h>
#include <digitlab/onnx_export.h>
#include <digitlab/runtime.h>
#include <digitlab/torchscript.h>

#include "explain/gradient_explainer.h"
#include "infer/torch_predictor.h"
#include "runtime/torch_compat.h"
#include "train/torch_trainer.h"

#include <algorithm>
#include <stdexcept>

namespace digitlab {
namespace {

class TorchGradients : public GradientBackend {
 public:
  explicit TorchGradients(GradientExplainer explainer) : explainer_(std::move(explainer)) {}
  std::vector<float> smoothgrad(const std::vector<float>& input, int target, int versus) const override {
    return explainer_.smoothgrad(input, target, versus);
  }
  std::vector<float> gradcam(const std::vector<float>& input, int target, int versus) const override {
    return explainer_.gradcam(input, target, versus);
  }

 private:
  GradientExplainer explainer_;
};

class TorchEngine : public Engine {
 public:
  std::unique_ptr<PredictorBackend> open_predictor(const std::filesystem::path& path, const std::string& device,
                                                   bool trusted) const override {
    return open_torch_predictor(path, device, trusted);
  }

  std::unique_ptr<TrainerBackend> make_trainer(TrainConfig config) const override {
    return make_torch_trainer(std::move(config));
  }

  std::unique_ptr<GradientBackend> gradient_explainer(const Predictor& predictor, std::string* why_not) const override {
    auto explainer = GradientExplainer::from_predictor(predictor, why_not);
    if (!explainer) return nullptr;
    return std::make_unique<TorchGradients>(std::move(*explainer));
  }

  ModelEvaluation evaluate_model_file(const std::filesystem::path& path, const std::string& device_name, bool trusted,
                                      const Dataset& data, int64_t limit) const override {
    const torch::Device device(device_name);
    const LoadedModel model = load_torchscript(path, device, trusted);
    if (static_cast<int64_t>(data.class_names.size()) != model.num_classes) {
      throw std::runtime_error(path.string() + ": the model tells " + std::to_string(model.num_classes) +
                               " classes apart, but " + data.name + " has " +
                               std::to_string(data.class_names.size()));
    }
    auto module = model.module;
    const auto scorer = [&](const torch::Tensor& x) {
      const c10::IValue result = module.forward({x});
      if (!result.isTensor()) throw std::runtime_error(path.string() + ": the model returned " + result.tagKind());
      check_probabilities(result.toTensor(), x.size(0), model.num_classes, path);
      return result.toTensor();
    };
    ModelEvaluation evaluation;
    evaluation.matrix = evaluate(scorer, data.test, device, limit);
    evaluation.class_names = model.class_names;
    evaluation.device = describe_device(device.is_cuda() ? "cuda" : "cpu");
    return evaluation;
  }

  ModelExport export_model_file(const std::filesystem::path& path, bool trusted, const std::filesystem::path& onnx,
                                const IdxDataset* calibration, int64_t count) const override {
    const LoadedModel model = load_torchscript(path, torch::kCPU, trusted);
    const DigitNet net = to_digitnet(model, path);
    ModelExport result;
    result.classes = model.num_classes;
    // The model card inside the TorchScript file carries the test accuracy into the ONNX metadata.
    if (calibration == nullptr) {
      export_onnx(net, onnx, model.test_accuracy);
      return result;
    }
    result.calibration_images = std::min<int64_t>(count, static_cast<int64_t>(calibration->size()));
    const auto images = images_tensor(*calibration, 0, result.calibration_images).to(torch::kFloat).div_(255.0);
    export_onnx_int8(net, images, onnx, model.test_accuracy);
    return result;
  }

  void set_threads(int threads) const override {
    torch::set_num_threads(threads);
    remember_threads(threads);
  }
  bool cuda_available() const override { return torch::cuda::is_available(); }
  std::string cuda_device_name() const override { return compat::cuda_device_name(); }
};

}  // namespace
}  // namespace digitlab

extern "C" __attribute__((visibility("default"))) const digitlab::Engine* digitlab_engine_v1() {
  static const digitlab::TorchEngine engine;
  digitlab::provide_engine(&engine);
  return &engine;
}
