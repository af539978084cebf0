#include "cli_data.h"
#include "commands.h"
#include "interrupt_flag.h"
#include "progress_bar.h"
#include "validators.h"

#include <digitlab/format.h>
#include <digitlab/train_recipe.h>
#include <digitlab/trainer.h>

#include <cstdio>
#include <memory>

namespace digitlab::cli {
namespace {

struct TrainOptions {
  TrainConfig config;
  std::string data;
  std::string dataset;
  std::string out = "digitlab-run";
  std::string amp = "on";
  std::string cuda_graph = "on";
  std::string cudnn_autotune = "on";
  std::string recipe = "default";
  bool no_augment = false;
  bool offline = false;
};

int run_train(TrainOptions options) {
  TrainConfig& config = options.config;
  config.data_dir = resolve_data_dir(options.data);
  config.dataset = resolve_dataset(options.dataset, options.data, options.offline);
  config.out_dir = options.out;
  config.augment = !options.no_augment;
  config.amp = options.amp == "on";
  config.cpu_bf16 = config.cpu_bf16 && config.amp;
  config.cuda_graph = options.cuda_graph == "on";
  config.cudnn_autotune = options.cudnn_autotune == "on";

  const auto& interrupt = InterruptFlag::install();
  ProgressBar bar;
  TrainCallbacks callbacks;
  callbacks.on_log = [&](const std::string& line) {
    bar.clear();
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  callbacks.on_batch = [&](const BatchStats& b) {
    if (b.batch == 1) bar.restart();
    char suffix[96];
    std::snprintf(suffix, sizeof suffix, "loss %.4f  %.0f img/s", b.loss, b.images_per_second);
    bar.update("epoch " + std::to_string(b.epoch) + "/" + std::to_string(b.epochs),
               static_cast<double>(b.batch) / static_cast<double>(b.batches), suffix);
  };
  callbacks.on_epoch = [&](const EpochStats& e) {
    bar.clear();
    std::printf("epoch %d/%d  train loss %.4f acc %.2f%%  val loss %.4f acc %.2f%%  lr %.2e  %.0f img/s  %.1f s%s\n",
                e.epoch, e.epochs, e.train_loss, e.train_accuracy * 100, e.val_loss, e.val_accuracy * 100, e.lr,
                e.images_per_second, e.seconds, e.improved ? "  (best, saved)" : "");
    std::fflush(stdout);
  };

  const TrainResult result = Trainer(config).run(callbacks, &interrupt.flag());
  bar.clear();
  if (result.best_epoch == 0) {
    std::fprintf(stderr, "Stopped before the first epoch finished: no model was saved.\n");
    return kExitInterrupted;
  }
  if (result.test_accuracy) {
    std::printf("test accuracy %.2f%%  (best epoch %d, validation %.2f%%, %s, %s)\n", *result.test_accuracy * 100,
                result.best_epoch, result.best_val_accuracy * 100, result.device.c_str(),
                format_duration(result.wall_seconds).c_str());
  } else {
    std::printf("stopped after %d epoch(s); best validation accuracy %.2f%% (epoch %d)\n", result.epochs_completed,
                result.best_val_accuracy * 100, result.best_epoch);
  }
  std::printf("model:   %s\n", result.model_path.string().c_str());
  if (!result.onnx_path.empty()) std::printf("onnx:    %s\n", result.onnx_path.string().c_str());
  std::printf("metrics: %s\n", result.metrics_path.string().c_str());
  if (result.stopped) {
    std::printf("Resume with the same options plus --resume.\n");
    return kExitInterrupted;
  }
  return kExitOk;
}

/// The recipe's settings (with_recipe), except those given on the command line.
void apply_recipe(CLI::App& cmd, TrainOptions& options) {
  const TrainConfig given_values = options.config;
  TrainConfig& c = options.config;
  c = with_recipe(c, parse_recipe(options.recipe));
  const auto given = [&cmd](const char* option) { return cmd.count(option) > 0; };
  if (given("--epochs")) c.epochs = given_values.epochs;
  if (given("--batch-size")) c.batch_size = given_values.batch_size;
  if (given("--lr")) c.lr = given_values.lr;
  if (given("--lr-decay")) c.lr_decay = given_values.lr_decay;
  if (given("--images-per-epoch")) c.images_per_epoch = given_values.images_per_epoch;
  if (given("--non-digits")) c.non_digits = given_values.non_digits;
  if (given("--keep-answers")) c.keep_answers = given_values.keep_answers;
  if (given("--writing-styles")) c.writing_styles = given_values.writing_styles;
  // A one-cycle run never stops early unless asked to.
  if (given("--patience")) {
    c.patience = given_values.patience;
  } else {
    run_one_cycle_to_the_end(c);
  }
  if (!given("--cudnn-autotune")) options.cudnn_autotune = c.cudnn_autotune ? "on" : "off";
}

}  // namespace

void add_train_command(CLI::App& app, CommandAction& action) {
  auto* cmd = app.add_subcommand(
      "train",
      "Train DigitNet on MNIST or any labelled set (defaults: the recipe of the shipped model, before its "
      "--non-digits --writing-styles fine-tune)");
  auto options = std::make_shared<TrainOptions>();
  TrainConfig& c = options->config;
  cmd->add_option("--recipe", options->recipe,
                  "default: the shipped model's (30 epochs, early stopping); quick: a good model in a few epochs "
                  "(one-cycle learning rate, batch 256, bfloat16 on CPUs with native support). Options given "
                  "beside it win")
      ->capture_default_str()
      ->check(CLI::IsMember(recipe_names()));
  cmd->add_option("--epochs", c.epochs, "Maximum epochs")->capture_default_str()->check(whole_number_at_least(1));
  cmd->add_option("--batch-size", c.batch_size, "Images per step")->capture_default_str()->check(CLI::Range(2, 65536));
  cmd->add_option("--lr", c.lr, "Initial Adam learning rate")->capture_default_str()->check(positive_number());
  cmd->add_option("--lr-decay", c.lr_decay, "Learning rate multiplier per epoch")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--patience", c.patience, "Epochs without a better validation accuracy before stopping")
      ->capture_default_str()
      ->check(whole_number_at_least(1));
  cmd->add_flag("--no-augment", options->no_augment, "Turn off rotation/shift/zoom augmentation");
  cmd->add_option("--device", c.device, "auto, cpu or cuda")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd->add_option("--amp", options->amp,
                  "Mixed precision: on CUDA, and bfloat16 on CPUs with native support under the quick recipe")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--cuda-graph", options->cuda_graph, "On CUDA, replay the whole training step as one CUDA graph")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--cudnn-autotune", options->cudnn_autotune,
                  "On CUDA, time cuDNN's algorithms once per shape (a slower first epoch, faster later ones); "
                  "on, except under the quick recipe")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--threads", c.threads, "CPU threads (0: all available cores)")
      ->capture_default_str()
      ->check(whole_number_at_least(0, "all cores"));
  cmd->add_option("--seed", c.seed, "Random seed; CPU runs with the same seed repeat exactly")->capture_default_str();
  cmd->add_option("--data", options->data, "MNIST folder (default: $DIGITLAB_DATA or ~/.local/share/digitlab/mnist)");
  cmd->add_option("--dataset", options->dataset, kDatasetHelp);
  auto* init = cmd->add_option("--init", c.init_from, "Fine-tune: start from this DigitLab model's weights")
                   ->check(CLI::ExistingFile);
  cmd->add_option("--out", options->out, "Output folder for digitnet.pt, checkpoint.pt and metrics.json")
      ->capture_default_str();
  cmd->add_option("--limit", c.limit, "Use only the first N training images (quick runs)")
      ->check(whole_number_at_least(1));
  cmd->add_option("--images-per-epoch", c.images_per_epoch,
                  "Train each epoch on N images drawn afresh from the training split (0: all; the quick recipe: "
                  "40000)")
      ->check(whole_number_at_least(0, "all"));
  cmd->add_option("--non-digits", c.non_digits,
                  "With each batch, this share of extra images that are two digits joined as they touch in a "
                  "number, taught to get no confident answer: numbers with touching digits read better (0: off)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--writing-styles", c.writing_styles,
                  "Draw this share of the training 1s with a flag (a stroke down-left from the top) and of the 4s "
                  "with a closed top, as many people write them and MNIST's writers seldom did (0: off)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--keep-answers", c.keep_answers,
                  "With --init: keep the starting model's answers on the training digits with this weight (its "
                  "probabilities as soft targets), so that a fine-tune does not drift on digits it read before "
                  "(0: off)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->needs(init);
  cmd->add_flag("--resume", c.resume, "Continue from the checkpoint in --out");
  cmd->add_flag("--offline", options->offline, "Never download MNIST; fail if it is missing");
  cmd->callback([&action, options, cmd] {
    apply_recipe(*cmd, *options);
    options->config.command = invocation();
    action = [options] { return run_train(*options); };
  });
}

}  // namespace digitlab::cli
