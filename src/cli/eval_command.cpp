#include "cli_data.h"
#include "commands.h"
#include "validators.h"

#include <digitlab/dataset.h>
#include <digitlab/model_files.h>
#include <digitlab/runtime.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace digitlab::cli {
namespace {

struct EvalOptions {
  std::string model;
  std::string data;
  std::string dataset;
  std::string device = "auto";
  int threads = 0;
  int64_t limit = 0;
  bool json = false;
  bool offline = false;
  bool trust_model = false;
};

void print_table(const ConfusionMatrix& m, const std::string& model, const std::string& device,
                 const std::vector<std::string>& names) {
  std::printf("model:    %s\ndevice:   %s\nimages:   %lld\naccuracy: %.2f%%  (%lld wrong)\n\n", model.c_str(),
              device.c_str(), static_cast<long long>(m.total()), m.accuracy() * 100,
              static_cast<long long>(m.total() - m.correct()));
  std::printf("per-class accuracy:\n");
  for (int d = 0; d < m.classes(); ++d) {
    const std::string& name = names[static_cast<size_t>(d)];
    if (name == std::to_string(d)) {
      std::printf("  %d: %6.2f%%\n", d, m.class_accuracy(d) * 100);
    } else {
      std::printf("  %d %s: %6.2f%%\n", d, name.c_str(), m.class_accuracy(d) * 100);
    }
  }
  std::printf("\nconfusion matrix (rows: true class, columns: predicted, by index):\n       ");
  for (int p = 0; p < m.classes(); ++p) std::printf("%6d", p);
  std::printf("\n");
  for (int l = 0; l < m.classes(); ++l) {
    std::printf("  %d:   ", l);
    for (int p = 0; p < m.classes(); ++p) std::printf("%6lld", static_cast<long long>(m.count(l, p)));
    std::printf("\n");
  }
}

void print_json(const ConfusionMatrix& m, const std::string& model, const std::string& device,
                const std::vector<std::string>& names, const std::string& dataset) {
  nlohmann::json per_class = nlohmann::json::array();
  for (int l = 0; l < m.classes(); ++l) per_class.push_back(m.class_accuracy(l));
  const nlohmann::json out = {{"model", model},
                              {"device", device},
                              {"dataset", dataset},
                              {"class_names", names},
                              {"images", m.total()},
                              {"correct", m.correct()},
                              {"accuracy", m.accuracy()},
                              {"per_class_accuracy", per_class},
                              {"confusion_matrix", nlohmann::json::parse(m.to_json())}};
  std::printf("%s\n", out.dump(2).c_str());
}

int run_eval(const EvalOptions& options) {
  configure_threads(options.threads);
  const std::string device = resolve_device(options.device);
  const Dataset data = load_dataset(resolve_dataset(options.dataset, options.data, options.offline));
  const ModelEvaluation result = evaluate_model_file(options.model, device, options.trust_model, data, options.limit);
  if (options.json) {
    print_json(result.matrix, options.model, result.device, result.class_names, data.name);
  } else {
    print_table(result.matrix, options.model, result.device, result.class_names);
  }
  return kExitOk;
}

}  // namespace

void add_eval_command(CLI::App& app, CommandAction& action) {
  auto* cmd =
      app.add_subcommand("eval", "Evaluate a TorchScript model on a test set (default: the 10,000 MNIST test images)");
  auto options = std::make_shared<EvalOptions>();
  cmd->add_option("MODEL", options->model, "TorchScript model file (e.g. models/digitnet.pt)")->required();
  cmd->add_option("--data", options->data, "MNIST folder (default: $DIGITLAB_DATA or ~/.local/share/digitlab/mnist)");
  cmd->add_option("--dataset", options->dataset, kDatasetHelp);
  cmd->add_option("--device", options->device, "auto, cpu or cuda")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd->add_option("--threads", options->threads, "CPU threads (0: all available cores)")
      ->check(whole_number_at_least(0, "all cores"));
  cmd->add_option("--limit", options->limit, "Evaluate only the first N test images")->check(whole_number_at_least(1));
  cmd->add_flag("--json", options->json, "Print the result as JSON");
  cmd->add_flag("--offline", options->offline, "Never download MNIST; fail if it is missing");
  add_trust_model_flag(cmd, options->trust_model);
  cmd->callback([&action, options] { action = [options] { return run_eval(*options); }; });
}

}  // namespace digitlab::cli
