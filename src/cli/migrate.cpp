// telemetry migrate: brings any historical database to the canonical v7
// schema in one transaction (docs/reference/schema.md §3-§4). The work is in db/migrations;
// this file parses flags and prints.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "db/migrations/migrate.h"
#include "util/command_error.h"
#include "util/exit_codes.h"

namespace telemetry::cli {
namespace {

struct MigrateFlags {
  FlagValues settings;
  bool dry_run = false;
  bool no_backup = false;
  bool json = false;
  std::string to = "7";
};

// Only set by tests: fail on purpose after N steps, before COMMIT (see
// docs/perf/migrate.md and tests/integration/test_migrate.py).
int fail_after_step_from_environment() {
  const char* value = std::getenv("TELEMETRY_MIGRATE_FAIL_AFTER_STEP");
  return value && *value ? std::atoi(value) : 0;
}

db::migrations::ProgressCallback terminal_progress(std::int64_t total) {
  if (!::isatty(STDERR_FILENO)) return {};
  return [total](std::int64_t rows) {
    std::cerr << fmt::format("\rcopying agent_runs: {} / {} rows", db::with_thousands(rows), db::with_thousands(total))
              << std::flush;
  };
}

int migrate(const MigrateFlags& flags) {
  if (flags.to != "7" && flags.to != "v7") {
    throw CommandError(exit_code::kUsage,
                       fmt::format("--to {}: the only target is version 7 (7 or v7)\nRun 'telemetry migrate --help' for usage.",
                                   flags.to));
  }
  const Config config = load_config(flags.settings, Command::kMigrate);

  db::migrations::MigrateOptions options;
  options.db_path = config.db_path;
  options.lock_file = config.lock_file;
  options.busy_timeout_ms = config.busy_timeout_ms;
  options.synchronous = config.synchronous;
  options.dry_run = flags.dry_run;
  options.backup = !flags.no_backup;
  options.fail_after_step = fail_after_step_from_environment();
  bool progress_shown = false;
  options.on_plan = [&](const db::MigrationPlan& plan) {
    const bool refused = plan.shape.id == "unknown" || !plan.refusals.empty();
    if (flags.json) {
      if (flags.dry_run || refused) std::cout << db::plan_json(plan).dump(2) << "\n";
    } else {
      std::cout << db::plan_text(plan) << std::flush;
    }
  };
  // The total is known only from the plan; the progress callback reads it then.
  std::int64_t total_rows = 0;
  auto shown = terminal_progress(0);
  if (shown) {
    options.progress = [&](std::int64_t rows) {
      progress_shown = true;
      terminal_progress(total_rows)(rows);
    };
    auto print_plan = options.on_plan;
    options.on_plan = [&, print_plan](const db::MigrationPlan& plan) {
      total_rows = plan.counts.agent_runs;
      print_plan(plan);
    };
  }

  db::migrations::MigrateResult result = db::migrations::migrate_database(options);
  if (progress_shown) std::cerr << "\n";
  using Outcome = db::migrations::MigrateResult::Outcome;
  switch (result.outcome) {
    case Outcome::kDryRun:
      if (!flags.json) std::cout << "dry run: nothing was changed\n";
      break;
    case Outcome::kUpToDate:
      if (flags.json) {
        nlohmann::ordered_json out = db::plan_json(result.plan);
        std::cout << out.dump(2) << "\n";
      }
      break;
    case Outcome::kMigrated:
      if (flags.json) {
        std::cout << db::migrations::summary_json(result.summary).dump(2) << "\n";
      } else {
        std::cout << db::migrations::summary_line(result.summary) << "\n";
      }
      break;
  }
  return exit_code::kOk;
}

}  // namespace

void register_migrate(CLI::App& app, RunCommand& run) {
  auto flags = std::make_shared<MigrateFlags>();
  CLI::App* command = app.add_subcommand("migrate", "Bring a database of any earlier version to the v7 schema");
  add_global_flags(*command, flags->settings);
  add_setting(*command, flags->settings, "--busy-timeout-ms", "TELEMETRY_DB_BUSY_TIMEOUT_MS", "SQLite busy timeout");
  add_setting(*command, flags->settings, "--synchronous", "TELEMETRY_DB_SYNCHRONOUS", "EXTRA, FULL, NORMAL or OFF");
  command->add_flag("--dry-run", flags->dry_run, "print the plan and change nothing (takes no lock)");
  command->add_option("--to", flags->to, "target schema version; only 7 (or v7)");
  command->add_flag("--no-backup", flags->no_backup, "skip the verified pre-migration backup");
  command->add_flag("--json", flags->json, "machine-readable plan (--dry-run) or summary");
  command->callback([&run, flags] { run = [flags] { return migrate(*flags); }; });
}

}  // namespace telemetry::cli
