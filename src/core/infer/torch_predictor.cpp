#include "infer/torch_predictor.h"

#include <digitlab/torchscript.h>

#include "infer/folded_digit_net.h"

#include <optional>
#include <stdexcept>

namespace digitlab {
namespace {

class TorchPredictor : public PredictorBackend {
 public:
  TorchPredictor(const std::filesystem::path& path, const std::string& device_name, bool trusted)
      : path_(path), device_(device_name) {
    LoadedModel loaded = load_torchscript(path, device_, trusted);
    card = loaded.model_card_json;
    test_accuracy = loaded.test_accuracy.value_or(-1.0);
    classes = loaded.num_classes;
    names = loaded.class_names;
    // A DigitNet runs on the folded fast path; any other model through TorchScript.
    fast_path_note = "the fast path runs on the CPU only";
    if (device_.is_cpu()) folded_ = FoldedDigitNet::from_model(loaded, &fast_path_note);
    fast_path = folded_.has_value();
    if (folded_) {
      fast_path_note.clear();
      return;
    }
    try {
      auto frozen = torch::jit::freeze(loaded.module);
      module_ = torch::jit::optimize_for_inference(frozen);
    } catch (const std::exception& e) {
      throw std::runtime_error(path.string() +
                               ": cannot prepare the model for inference: " + std::string(e.what()).substr(0, 200));
    }
  }

  std::vector<float> probabilities(const float* pixels, size_t count) const override {
    c10::InferenceMode inference;
    auto input = torch::from_blob(const_cast<float*>(pixels), {static_cast<int64_t>(count), 1, kInputSide, kInputSide},
                                  torch::kFloat);
    torch::Tensor probs;
    if (folded_) {
      probs = folded_->probabilities(input);
    } else {
      if (!device_.is_cpu()) input = input.to(device_);
      // Module::forward is const-incorrect in LibTorch; the frozen module holds no mutable state.
      auto& module = const_cast<torch::jit::Module&>(module_);
      const c10::IValue result = module.forward({input});
      if (!result.isTensor()) {
        throw std::runtime_error(path_.string() + ": the model returned " + result.tagKind() + ", expected a tensor");
      }
      probs = result.toTensor().to(torch::kCPU, torch::kFloat).contiguous();
      check_probabilities(probs, static_cast<int64_t>(count), classes, path_);
    }
    const float* data = probs.data_ptr<float>();
    return std::vector<float>(data, data + count * static_cast<size_t>(classes));
  }

 private:
  std::filesystem::path path_;
  torch::Device device_;
  std::optional<FoldedDigitNet> folded_;  ///< Set for a DigitNet LibTorch loaded (e.g. without a card), on the CPU.
  torch::jit::Module module_;             ///< Frozen and optimized, for every other model.
};

}  // namespace

std::unique_ptr<PredictorBackend> open_torch_predictor(const std::filesystem::path& path, const std::string& device,
                                                       bool trusted) {
  return std::make_unique<TorchPredictor>(path, device, trusted);
}

}  // namespace digitlab
