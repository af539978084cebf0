// digitlab-cli: train, evaluate and download without a window.
#include "commands.h"

#include <digitlab/model_safety.h>
#include <digitlab/runtime.h>

#include <cstdio>
#include <exception>
#include <string>

std::string& digitlab::cli::invocation() {
  static std::string line;
  return line;
}

int main(int argc, char** argv) {
  using namespace digitlab::cli;
  invocation() = "digitlab-cli";
  for (int i = 1; i < argc; ++i) invocation() += std::string(" ") + argv[i];
  CLI::App app{"DigitLab command-line tool: handwritten digit recognition with LibTorch", "digitlab-cli"};
  app.set_version_flag("--version", std::string("digitlab-cli ") + digitlab::digitlab_version() + " (LibTorch " +
                                        digitlab::torch_version() + ")");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 runtime failure, 2 bad usage, 130 interrupted.\n"
      "Run `digitlab-cli COMMAND --help` for a command's options.");

  CommandAction action;
  add_train_command(app, action);
  add_eval_command(app, action);
  add_predict_command(app, action);
  add_export_command(app, action);
  add_download_command(app, action);

  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const auto* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "digitlab-cli: unknown command '%s' (commands: %s)\nRun `digitlab-cli --help` for usage.\n",
                   argv[1], names.c_str());
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "digitlab-cli: %s\nRun `digitlab-cli --help` for usage.\n", e.what());
    return kExitUsage;
  }

  try {
    return action();
  } catch (const digitlab::UnsafeModelError& e) {
    std::fprintf(stderr, "digitlab-cli: error: %s (to run it anyway, if you trust its source: --trust-model)\n",
                 e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitlab-cli: error: %s\n", e.what());
    return kExitFailure;
  }
}
