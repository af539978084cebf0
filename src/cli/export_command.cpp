#include "commands.h"

#include <digitlab/onnx_export.h>
#include <digitlab/torchscript.h>

#include <cstdio>
#include <memory>

namespace digitlab::cli {
namespace {

struct ExportOptions {
  std::string model;
  std::string onnx;
  bool trust_model = false;
};

int run_export(const ExportOptions& options) {
  const LoadedModel model = load_torchscript(options.model, torch::kCPU, options.trust_model);
  // The model card inside the TorchScript file carries the test accuracy into the ONNX metadata.
  export_onnx(to_digitnet(model, options.model), options.onnx, model.test_accuracy);
  std::printf("wrote %s (opset 13, input image [N,1,%d,%d], output probabilities [N,%lld])\n", options.onnx.c_str(),
              kInputSide, kInputSide, static_cast<long long>(model.num_classes));
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, CommandAction& action) {
  auto* cmd = app.add_subcommand("export", "Export a DigitLab TorchScript model to ONNX");
  auto options = std::make_shared<ExportOptions>();
  cmd->add_option("MODEL", options->model, "TorchScript model written by DigitLab (e.g. models/digitnet.pt)")
      ->required();
  cmd->add_option("--onnx", options->onnx, "Output ONNX file")->required();
  add_trust_model_flag(cmd, options->trust_model);
  cmd->callback([&action, options] { action = [options] { return run_export(*options); }; });
}

}  // namespace digitlab::cli
