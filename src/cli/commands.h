#pragma once
// Each subcommand registers itself on the app; the parsed subcommand's action runs after parsing.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace digitlab::cli {

/// What a parsed subcommand does; returns the process exit code.
using CommandAction = std::function<int()>;

/// `train`: trains DigitNet on MNIST.
void add_train_command(CLI::App& app, CommandAction& action);
/// `eval MODEL`: accuracy, per-class accuracy and confusion matrix on the MNIST test set.
void add_eval_command(CLI::App& app, CommandAction& action);
/// `predict MODEL IMAGE...`: reads digits in image files and folders.
void add_predict_command(CLI::App& app, CommandAction& action);
/// `export MODEL --onnx OUT [--int8]`: writes a DigitLab TorchScript model as ONNX, float or int8-quantized.
void add_export_command(CLI::App& app, CommandAction& action);
/// `download`: fetches MNIST into the data folder.
void add_download_command(CLI::App& app, CommandAction& action);

/// Adds --trust-model to a command that loads a model: it runs a model DigitLab refused as unsafe.
inline void add_trust_model_flag(CLI::App* command, bool& trust) {
  command->add_flag("--trust-model", trust,
                    "Run the model even if it does more than compute (writes files, loops...): only for models "
                    "from a source you trust");
}

/// The command line as typed (set by main), recorded in metrics.json.
std::string& invocation();

/// Exit codes shared by every command.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

}  // namespace digitlab::cli
