// telemetry prune --older-than D: deletes runs by created_at in batches, one
// transaction each, holding the single-writer lock (docs/reference/configuration.md §4.2, §5).
// `serve` applies the same rule on its own with TELEMETRY_RETENTION_DAYS
// (http/retention.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_status.h"
#include "core/duration.h"
#include "core/timestamp.h"
#include "util/file_sync.h"
#include "util/stop_signals.h"
#include "db/database.h"
#include "db/read_only_database.h"
#include "db/run_queries.h"
#include "db/run_store.h"
#include "util/command_error.h"
#include "util/exit_codes.h"
#include "util/format_numbers.h"
#include "util/lock_file.h"
#include "util/terminal_progress.h"

namespace telemetry::cli {
namespace {
namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr std::int64_t kDefaultBatchSize = 10000;  // docs/reference/configuration.md §4.2, the same as serve's retention

struct PruneFlags {
  FlagValues values;
  std::string older_than;
  std::int64_t batch_size = kDefaultBatchSize;
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
  std::int64_t total = 0, matching = 0;
  auto connection = db::open_for_reading(config.db_path, config.busy_timeout_ms, db::ShapeRequirement::kV7);
  try {
    // created_at is NOT NULL, so the rows before the cutoff are all rows but
    // those at or after it; one read transaction keeps the two counts consistent.
    connection->exec("BEGIN");
    total = db::count_runs(*connection);
    matching = total - db::count_created_since(*connection, cutoff);
    connection->exec("COMMIT");
  } catch (const db::SqliteError& failure) {
    throw db::read_failure(failure, config.db_path);
  }
  if (flags.json) {
    std::cout << ordered_json{{"dry_run", true}, {"cutoff", cutoff}, {"matching", matching}, {"total", total}}.dump()
              << "\n";
  } else {
    std::cout << fmt::format("dry run: would delete {} of {} runs created before {}; nothing was changed\n",
                             with_thousands(matching), with_thousands(total), cutoff);
  }
  return exit_code::kOk;
}

std::unique_ptr<WriterLock> take_lock(const Config& config) {
  try {
    return WriterLock::acquire(config.lock_file, config.db_path, "prune");
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kUnavailable) throw;
    throw Error(error.kind(), std::string(error.what()) +
                                  "; prune is a writer and cannot run beside it. Stop the writer first, or let "
                                  "'telemetry serve' prune by itself with TELEMETRY_RETENTION_DAYS=N");
  }
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
  auto lock = take_lock(config);
  db::ConnectionSettings settings{config.journal_mode, config.synchronous, config.busy_timeout_ms};
  db::ServableDatabase database = db::open_servable(config.db_path, settings, /*create=*/false);
  db::Connection& connection = *database.connection;
  TerminalProgress progress("prune", TerminalProgress::Unit::kCount, "runs deleted");

  std::int64_t deleted = 0, batches = 0;
  std::uint64_t freed = 0;
  const auto start = std::chrono::steady_clock::now();
  int stopped_by = 0;
  try {
    db::RunStore store(connection);
    for (;;) {
      if ((stopped_by = received_stop_signal()) != 0) break;
      db::Transaction transaction(connection);
      const std::int64_t n = store.delete_created_before(cutoff, flags.batch_size);
      transaction.commit();
      deleted += n;
      ++batches;
      progress.update(deleted);
      if (n < flags.batch_size) break;
    }
    progress.finish();
    if (flags.vacuum && stopped_by == 0) {
      const auto pages_before = connection.query_int("PRAGMA page_count");
      const auto page_size = connection.query_int("PRAGMA page_size");
      // VACUUM writes a full copy of the database before replacing it.
      require_free_space(fs::path(config.db_path).parent_path().string(),
                                     static_cast<std::uint64_t>(pages_before * page_size), "VACUUM the database");
      connection.exec("VACUUM");
      freed = static_cast<std::uint64_t>((pages_before - connection.query_int("PRAGMA page_count")) * page_size);
    }
  } catch (const db::SqliteError& failure) {
    throw CommandError(exit_code_for(failure),
                       fmt::format("database {}: {} (after deleting {} runs in {} committed batches)", config.db_path,
                                   failure.what(), with_thousands(deleted), batches));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (flags.json) {
    std::cout << ordered_json{{"dry_run", false},   {"cutoff", cutoff},
                              {"deleted", deleted}, {"batches", batches},
                              {"seconds", seconds}, {"vacuumed", flags.vacuum && stopped_by == 0},
                              {"freed_bytes", freed}, {"interrupted", stopped_by != 0}}
                     .dump()
              << "\n";
  } else {
    std::cout << fmt::format("deleted {} runs created before {} in {} batch{} ({:.1f} s){}\n",
                             with_thousands(deleted), cutoff, batches, batches == 1 ? "" : "es", seconds,
                             flags.vacuum && stopped_by == 0 ? fmt::format("; VACUUM freed {}", human_bytes(freed))
                                                             : "");
  }
  if (stopped_by != 0) {
    throw telemetry::stopped_by(stopped_by,
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
