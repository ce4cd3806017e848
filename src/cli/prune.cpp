// telemetry prune --older-than D: the flags, then db::prune_runs() (db/prune.h),
// which deletes by created_at in batches under the single-writer lock
// (docs/reference/configuration.md §4.2, §5), or db::count_prunable() for --dry-run.
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/duration.h"
#include "core/timestamp.h"
#include "db/prune.h"
#include "util/format_numbers.h"
#include "util/stop_signals.h"
#include "util/terminal_progress.h"

namespace telemetry::cli {
namespace {
using nlohmann::ordered_json;

struct PruneFlags {
  FlagValues values;
  std::string older_than;
  std::int64_t batch_size = db::PruneOptions{}.batch_size;
  bool dry_run = false;
  bool vacuum = false;
  bool json = false;
};

std::chrono::seconds parse_older_than(const std::string& text) {
  auto age = parse_duration(text);
  if (!age) {
    throw bad_flag("prune", "--older-than", text, "expected a whole number >= 1 followed by h, d or w (24h, 30d, 2w)");
  }
  return *age;
}

int dry_run(const Config& config, const PruneFlags& flags, const std::string& cutoff) {
  const db::PruneCount count = db::count_prunable(config.db_path, config.busy_timeout_ms, cutoff);
  if (flags.json) {
    std::cout << ordered_json{{"dry_run", true}, {"cutoff", cutoff}, {"matching", count.matching}, {"total", count.total}}
                     .dump()
              << "\n";
  } else {
    std::cout << fmt::format("dry run: would delete {} of {} runs created before {}; nothing was changed\n",
                             with_thousands(count.matching), with_thousands(count.total), cutoff);
  }
  return exit_code::kOk;
}

int prune(const PruneFlags& flags) {
  const Config config = load_config(flags.values, Command::kPrune);
  const std::chrono::seconds age = parse_older_than(flags.older_than);
  if (flags.batch_size < 1 || flags.batch_size > 1000000) {
    throw bad_flag("prune", "--batch-size", std::to_string(flags.batch_size), "must be between 1 and 1000000");
  }
  const std::string cutoff = canonical_utc(std::chrono::system_clock::now() - age);
  if (flags.dry_run) return dry_run(config, flags, cutoff);

  install_stop_signal_handlers();
  TerminalProgress progress("prune", TerminalProgress::Unit::kCount, "runs deleted");
  db::PruneOptions options;
  options.db_path = config.db_path;
  options.lock_file = config.lock_file;
  options.settings = db::ConnectionSettings{config.journal_mode, config.synchronous, config.busy_timeout_ms};
  options.cutoff = cutoff;
  options.batch_size = flags.batch_size;
  options.vacuum = flags.vacuum;
  options.progress = [&progress](std::int64_t deleted) { progress.update(deleted); };
  const db::PruneResult result = db::prune_runs(options);
  progress.finish();

  if (flags.json) {
    std::cout << ordered_json{{"dry_run", false},          {"cutoff", cutoff},
                              {"deleted", result.deleted}, {"batches", result.batches},
                              {"seconds", result.seconds}, {"vacuumed", result.vacuumed},
                              {"freed_bytes", result.freed_bytes}, {"interrupted", result.stopped_by != 0}}
                     .dump()
              << "\n";
  } else {
    std::cout << fmt::format("deleted {} runs created before {} in {} batch{} ({:.1f} s){}\n",
                             with_thousands(result.deleted), cutoff, result.batches, result.batches == 1 ? "" : "es",
                             result.seconds,
                             result.vacuumed ? fmt::format("; VACUUM freed {}", human_bytes(result.freed_bytes)) : "");
  }
  if (result.stopped_by != 0) {
    throw telemetry::stopped_by(result.stopped_by,
                                "interrupted; the batches already committed stay deleted, run prune again to finish");
  }
  return exit_code::kOk;
}

}  // namespace

void register_prune(CLI::App& app, RunCommand& run) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command = app.add_subcommand("prune", "Delete runs created before now minus a duration, in batches");
  add_global_flags(*command, flags->values);
  command->add_option("--older-than", flags->older_than, "delete runs created longer ago than this: 24h, 30d, 2w")
      ->required()->type_name("DURATION");
  command->add_flag("--dry-run", flags->dry_run, "only count the runs that would be deleted");
  command->add_option("--batch-size", flags->batch_size, "rows per transaction")->capture_default_str();
  command->add_flag("--vacuum", flags->vacuum, "VACUUM afterwards to give the space back to the filesystem");
  command->add_flag("--json", flags->json, "print the result as JSON");
  add_database_options(*command, flags->values, kJournalMode | kSynchronous | kBusyTimeout);
  command->callback([&run, flags] { run = [flags] { return prune(*flags); }; });
}

}  // namespace telemetry::cli
