// telemetry: builds the command line, runs the chosen command and maps every
// failure to its exit code (docs/reference/configuration.md §7).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "db/sqlite.h"
#include "telemetry_version.h"
#include "util/command_error.h"
#include "util/exit_codes.h"

using namespace telemetry;

int main(int argc, char** argv) {
  CLI::App app{"telemetry: records runs of automation agents in SQLite, through one writer"};
  app.set_version_flag("--version", std::string("telemetry ") + TELEMETRY_VERSION);
  app.require_subcommand(1);

  cli::RunCommand run;
  cli::register_serve(app, run);
  cli::register_migrate(app, run);
  cli::register_backup(app, run);
  cli::register_check(app, run);
  cli::register_ingest_buffer(app, run);
  cli::register_metrics(app, run);
  cli::register_prune(app, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? exit_code::kOk : exit_code::kOk;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return exit_code::kOk;
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return exit_code::kOk;
  } catch (const CLI::Success&) {
    return exit_code::kOk;
  } catch (const CLI::ParseError& e) {
    // CLI11's own exit codes are never passed through (docs/reference/configuration.md §6).
    std::string command = app.get_subcommands().empty() ? "" : " " + app.get_subcommands().front()->get_name();
    std::cerr << "telemetry: " << e.what() << "\n"
              << "Run 'telemetry" << command << " --help' for usage.\n";
    return exit_code::kUsage;
  }

  try {
    return run ? run() : exit_code::kUsage;
  } catch (const CommandError& e) {
    if (*e.what()) std::cerr << "telemetry: " << e.what() << "\n";
    return e.exit_code();
  } catch (const db::SqliteError& e) {
    std::cerr << "telemetry: database error: " << e.what() << "\n";
    return exit_code::kSoftware;
  } catch (const std::exception& e) {
    std::cerr << "telemetry: internal error: " << e.what() << "\n";
    return exit_code::kSoftware;
  }
}
