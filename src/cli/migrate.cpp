#include "cli/commands.h"

namespace telemetry::cli {

// Not registered yet: the command is being built.
void register_migrate(CLI::App&, RunCommand&) {}

}  // namespace telemetry::cli
