#include "cli_data.h"
#include "commands.h"
#include "validators.h"

#include <digitlab/dataset.h>
#include <digitlab/model_files.h>
#include <digitlab/model_spec.h>
#include <digitlab/runtime.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace digitlab::cli {
namespace {

struct ExportOptions {
  std::string model;
  std::string onnx;
  bool int8 = false;
  std::string data;
  std::string dataset;
  int64_t calibration_images = kDefaultCalibrationImages;
  bool offline = false;
  bool trust_model = false;
};

int run_export(const ExportOptions& options) {
  if (!options.int8) {
    const ModelExport result = export_model_file(options.model, options.trust_model, options.onnx);
    std::printf("wrote %s (opset 13, input image [N,1,%d,%d], output probabilities [N,%lld])\n", options.onnx.c_str(),
                kInputSide, kInputSide, static_cast<long long>(result.classes));
    return kExitOk;
  }
  // int8: activation ranges from the first training images of the model's dataset (MNIST unless --dataset says
  // otherwise).
  configure_threads(0);
  const Dataset data = load_dataset(resolve_dataset(options.dataset, options.data, options.offline));
  const ModelExport result =
      export_model_file(options.model, options.trust_model, options.onnx, &data.train, options.calibration_images);
  std::printf("int8 QDQ, activation ranges from %lld training images, %.0f kB: ",
              static_cast<long long>(result.calibration_images), std::filesystem::file_size(options.onnx) / 1000.0);
  std::printf("wrote %s (opset 13, input image [N,1,%d,%d], output probabilities [N,%lld])\n", options.onnx.c_str(),
              kInputSide, kInputSide, static_cast<long long>(result.classes));
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, CommandAction& action) {
  auto* cmd = app.add_subcommand("export", "Export a DigitLab TorchScript model to ONNX");
  auto options = std::make_shared<ExportOptions>();
  cmd->add_option("MODEL", options->model, "TorchScript model written by DigitLab (e.g. models/digitnet.pt)")
      ->required();
  cmd->add_option("--onnx", options->onnx, "Output ONNX file")->required();
  cmd->add_flag("--int8", options->int8,
                "Write an int8-quantized model (QDQ, about a quarter of the size) calibrated on training images "
                "(MNIST, or --dataset), for phones and small boards");
  cmd->add_option("--data", options->data,
                  "MNIST folder for --int8's calibration (default: $DIGITLAB_DATA or ~/.local/share/digitlab/mnist)");
  cmd->add_option("--dataset", options->dataset,
                  "The model's dataset, whose training images --int8 calibrates on (default: mnist; forms as in "
                  "train --dataset)");
  cmd->add_option("--calibration-images", options->calibration_images,
                  "Training images --int8 calibrates activation ranges on")
      ->capture_default_str()
      ->check(whole_number_at_least(1));
  cmd->add_flag("--offline", options->offline, "Never download MNIST for --int8; fail if it is missing");
  add_trust_model_flag(cmd, options->trust_model);
  cmd->callback([&action, options] { action = [options] { return run_export(*options); }; });
}

}  // namespace digitlab::cli
