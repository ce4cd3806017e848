#pragma once
// One registration function per subcommand; main() calls them all. A
// registration adds its subcommand only when that command works.
#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace telemetry::cli {

void register_serve(CLI::App& app, RunCommand& run);
void register_migrate(CLI::App& app, RunCommand& run);
void register_backup(CLI::App& app, RunCommand& run);
void register_check(CLI::App& app, RunCommand& run);
void register_ingest_buffer(CLI::App& app, RunCommand& run);
void register_metrics(CLI::App& app, RunCommand& run);
void register_prune(CLI::App& app, RunCommand& run);
void register_run(CLI::App& app, RunCommand& run);
void register_record(CLI::App& app, RunCommand& run);
void register_runs(CLI::App& app, RunCommand& run);

}  // namespace telemetry::cli
