// telemetry migrate: brings any historical database to the canonical v7
// schema in one transaction (docs/reference/schema.md §3-§4). The work is in db/migrations;
// this file parses flags and prints.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "db/migrations/migrate.h"
#include "db/migrations/plan_report.h"
#include "util/terminal_progress.h"

namespace telemetry::cli {
namespace {

struct MigrateFlags {
  FlagValues settings;
  bool dry_run = false;
  bool no_backup = false;
  bool json = false;
  std::string to = "7";
};

int migrate(const MigrateFlags& flags) {
  if (flags.to != "7" && flags.to != "v7") {
    throw bad_flag("migrate", "--to", flags.to, "the only target is version 7 (7 or v7)");
  }
  const Config config = load_config(flags.settings, Command::kMigrate);

  db::migrations::MigrateOptions options;
  options.db_path = config.db_path;
  options.lock_file = config.lock_file;
  options.busy_timeout_ms = config.busy_timeout_ms;
  options.synchronous = config.synchronous;
  options.dry_run = flags.dry_run;
  options.backup = !flags.no_backup;
  // The total is known only from the plan.
  std::int64_t total_rows = 0;
  TerminalProgress progress("copying agent_runs", TerminalProgress::Unit::kCount, "rows");
  options.progress = [&](std::int64_t rows) { progress.update(rows, total_rows); };
  options.on_plan = [&](const db::migrations::MigrationPlan& plan) {
    total_rows = plan.counts.agent_runs;
    const bool refused = plan.shape.id == db::Shape::kUnknown || !plan.refusals.empty();
    if (flags.json) {
      if (flags.dry_run || refused) std::cout << db::migrations::plan_json(plan).dump(2) << "\n";
    } else {
      std::cout << db::migrations::plan_text(plan) << std::flush;
    }
  };
  db::migrations::MigrateResult result = db::migrations::migrate_database(options);
  progress.finish();
  using Outcome = db::migrations::MigrateResult::Outcome;
  switch (result.outcome) {
    case Outcome::kDryRun:
      if (!flags.json) std::cout << "dry run: nothing was changed\n";
      break;
    case Outcome::kUpToDate:
      if (flags.json) {
        nlohmann::ordered_json out = db::migrations::plan_json(result.plan);
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
  add_database_options(*command, flags->settings, kBusyTimeout | kSynchronous);
  command->add_flag("--dry-run", flags->dry_run, "print the plan and change nothing (takes no lock)");
  command->add_option("--to", flags->to, "target schema version; only 7 (or v7)")->type_name("VERSION")->capture_default_str();
  command->add_flag("--no-backup", flags->no_backup, "skip the verified pre-migration backup");
  command->add_flag("--json", flags->json, "machine-readable plan (--dry-run) or summary");
  command->callback([&run, flags] { run = [flags] { return migrate(*flags); }; });
}

}  // namespace telemetry::cli
