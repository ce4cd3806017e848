// telemetry: builds the command line, runs the chosen command and maps every
// failure to its exit code (docs/reference/configuration.md §7).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/exit_status.h"
#include "db/sqlite.h"
#include "util/error.h"

using namespace telemetry;

int main(int argc, char** argv) {
  std::unique_ptr<CLI::App> app = cli::make_app();
  cli::RunCommand run;
  cli::register_serve(*app, run);
  cli::register_migrate(*app, run);
  cli::register_backup(*app, run);
  cli::register_check(*app, run);
  cli::register_ingest_buffer(*app, run);
  cli::register_metrics(*app, run);
  cli::register_prune(*app, run);
  cli::register_run(*app, run);
  cli::register_record(*app, run);
  cli::register_runs(*app, run);

  if (std::optional<int> code = cli::parse_command_line(*app, argc, argv)) return *code;

  try {
    return run ? run() : cli::exit_code::kUsage;
  } catch (const cli::CommandError& e) {
    if (*e.what()) std::cerr << "telemetry: " << e.what() << "\n";
    return e.exit_code();
  } catch (const Error& e) {
    if (*e.what()) std::cerr << "telemetry: " << e.what() << "\n";
    return cli::exit_code_for(e.kind());
  } catch (const db::SqliteError& e) {
    std::cerr << "telemetry: database error: " << e.what() << "\n";
    return cli::exit_code::kSoftware;
  } catch (const std::exception& e) {
    std::cerr << "telemetry: internal error: " << e.what() << "\n";
    return cli::exit_code::kSoftware;
  }
}
