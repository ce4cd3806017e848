#include "cli/commands.h"

namespace telemetry::cli {

// Not registered yet: the command is being built.
void register_backup(CLI::App&, RunCommand&) {}

}  // namespace telemetry::cli
