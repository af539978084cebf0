#include "cli_data.h"
#include "commands.h"

#include <digitlab/mnist.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace digitlab::cli {

void add_download_command(CLI::App& app, CommandAction& action) {
  auto* cmd = app.add_subcommand("download", "Download MNIST into the data folder and verify its SHA-256");
  auto data = std::make_shared<std::string>();
  auto verify = std::make_shared<bool>(false);
  cmd->add_option("--data", *data, "Data folder (default: $DIGITLAB_DATA or ~/.local/share/digitlab/mnist)");
  cmd->add_flag("--verify", *verify, "Also check the SHA-256 of files already present");
  cmd->callback([&action, data, verify] {
    action = [data, verify] {
      const auto dir = resolve_data_dir(*data);
      ensure_mnist(dir, /*offline=*/false);
      if (*verify) {
        for (const auto& path : verify_mnist(dir)) std::printf("%s  OK\n", path.string().c_str());
      }
      std::printf("MNIST is in %s\n", dir.string().c_str());
      return kExitOk;
    };
  });
}

}  // namespace digitlab::cli
