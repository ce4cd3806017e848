#include "db/migrations/migrate.h"

#include <sys/statvfs.h>

#include <ctime>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "db/database.h"
#include "db/migrations/executor.h"
#include "db/migrations/pre_migrate_backup.h"
#include "db/outside_database.h"
#include "db/pragmas.h"
#include "util/error.h"
#include "util/format_numbers.h"
#include "util/lock_file.h"

namespace telemetry::db::migrations {
namespace fs = std::filesystem;

namespace {

std::string mib(std::int64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0)); }

std::int64_t file_size_or_zero(const std::string& path) {
  std::error_code error;
  auto size = fs::file_size(path, error);
  return error ? 0 : static_cast<std::int64_t>(size);
}

// 4.1 step 6: room for the backup and for the rebuilt tables and journal.
void check_free_space(const std::string& db_path, bool backup) {
  const std::int64_t size = file_size_or_zero(db_path) + file_size_or_zero(db_path + "-wal");
  const std::int64_t needed = 2 * size;
  std::string directory = fs::path(db_path).parent_path().string();
  struct statvfs info {};
  if (::statvfs(directory.empty() ? "." : directory.c_str(), &info) != 0) return;  // unknown: let SQLite report
  const std::int64_t available = static_cast<std::int64_t>(info.f_bavail) * static_cast<std::int64_t>(info.f_frsize);
  if (available < needed) {
    throw Error(ErrorKind::kDiskFull,
                fmt::format("not enough free space in {}: {} available, {} needed (twice the database's {}{})",
                            directory, mib(available), mib(needed), mib(size),
                            backup ? ": one copy for the backup, one for the rebuilt tables" : ""));
  }
  (void)backup;
}

std::string refusal_message(const std::string& db_path, const MigrationPlan& plan) {
  if (plan.shape.id == Shape::kUnknown) {
    return fmt::format("database {} has an unknown schema: {}; nothing was changed", db_path, plan.shape.details);
  }
  return fmt::format("cannot migrate {} (nothing was changed): {}", db_path, fmt::join(plan.refusals, "; "));
}

// A dry run leaves the folder as it found it: SQLite would create -wal and
// -shm beside a WAL database even for a read-only connection, so a file whose
// content is all in the main file (no -wal, no hot -journal) is opened
// immutable. A -wal that exists (a live database) is read, and left alone.
Connection::Mode dry_run_mode(const std::string& path) {
  std::error_code error;
  const bool side_files = fs::exists(path + "-wal", error) || fs::exists(path + "-journal", error);
  return side_files ? Connection::Mode::kReadOnly : Connection::Mode::kImmutable;
}

std::unique_ptr<Connection> open_database(const std::string& path, bool read_only, int busy_timeout_ms,
                                          const StorageEnv& env) {
  try {
    // The file to migrate may come from anywhere: nothing stored in it runs (outside_database.h).
    auto connection = open_outside_database(
        path, read_only ? dry_run_mode(path) : Connection::Mode::kReadWrite, busy_timeout_ms, env);
    // Reading the schema tells "not a database" apart from everything else.
    connection->query_int("SELECT count(*) FROM sqlite_master");
    return connection;
  } catch (const SqliteError& error) {
    if (error.code() == SQLITE_NOTADB) throw Error(ErrorKind::kInvalidInput, fmt::format("{} is not a SQLite database", path));
    throw Error(error_kind(error), fmt::format("database {}: {}", path, error.what()));
  }
}

}  // namespace

MigrateResult migrate_database(const MigrateOptions& options) {
  if (!fs::exists(options.db_path)) {
    throw Error(ErrorKind::kNotFound, fmt::format("database {} does not exist", options.db_path));
  }
  std::unique_ptr<WriterLock> lock;
  std::optional<LockHolder> holder;
  if (options.dry_run) {
    holder = current_lock_holder(options.lock_file);
  } else {
    lock = WriterLock::acquire(options.lock_file, options.db_path, "migrate");
  }

  MigrateResult result;
  try {
    // A dry run never opens the file for writing; a real run needs one
    // connection for detection, backup and migration so nothing slips between.
    std::unique_ptr<Connection> connection =
        open_database(options.db_path, options.dry_run, options.busy_timeout_ms, *options.env);
    ProgressCounter progress{options.progress, 0};
    register_migration_functions(*connection, &progress);

    result.plan = build_plan(*connection);
    MigrationPlan& plan = result.plan;
    plan.backup = plan.backup && options.backup;
    if (plan.backup) plan.backup_name = fs::path(pre_migrate_backup_path(options.db_path, std::time(nullptr))).filename();
    if (holder) {
      plan.lock_note = fmt::format("{} holds the lock ({}, PID {} on {}); a dry run changes nothing and goes ahead",
                                   holder->describe_command(), options.lock_file, holder->pid, holder->host);
    }
    if (options.on_plan) options.on_plan(plan);
    if (plan.shape.id == Shape::kUnknown || !plan.refusals.empty()) {
      throw Error(ErrorKind::kInvalidInput, refusal_message(options.db_path, plan));
    }
    if (options.dry_run) return result;
    if (plan.up_to_date) {
      result.outcome = MigrateResult::Outcome::kUpToDate;
      return result;
    }

    check_free_space(options.db_path, plan.backup);
    if (plan.backup) {
      const std::string directory = fs::path(options.db_path).parent_path().string();
      make_verified_backup(*connection, (fs::path(directory) / plan.backup_name).string());
    }
    set_synchronous(*connection, options.synchronous);
    // Larger page cache: the copy and the index builds touch every page.
    connection->exec("PRAGMA cache_size=-65536");
    ExecuteOptions execute{options.progress ? &progress : nullptr};
    ExecuteResult executed = execute_plan(*connection, plan, execute);

    result.outcome = MigrateResult::Outcome::kMigrated;
    MigrationSummary& summary = result.summary;
    summary.from = shape_name(plan.shape.id);
    summary.rows = executed.rows;
    summary.derived_event_ids = plan.runs.derived_event_ids;
    summary.mapped_statuses = plan.runs.mapped_status_rows;
    summary.noted_rows = plan.runs.noted_rows;
    if (plan.backup) summary.backup = plan.backup_name;
    summary.free_bytes = executed.free_bytes;
    summary.commits_legacy_kept = plan.keep_commits_legacy;
  } catch (const SqliteError& error) {
    throw Error(error_kind(error), fmt::format("database {}: {}", options.db_path, error.what()));
  }
  return result;
}

std::string summary_line(const MigrationSummary& summary) {
  std::string line = fmt::format("migrated {} -> v7: {} rows, {} event_ids derived, {} statuses mapped, {} rows noted",
                                 summary.from, with_thousands(summary.rows.agent_runs),
                                 with_thousands(summary.derived_event_ids), with_thousands(summary.mapped_statuses),
                                 with_thousands(summary.noted_rows));
  if (summary.commits_legacy_kept) line += "; old commits kept as commits_legacy_v6";
  line += summary.backup ? "; backup " + *summary.backup : std::string("; no backup (--no-backup)");
  line += fmt::format("; {} of free pages (reclaimable by VACUUM)", mib(summary.free_bytes));
  return line;
}

nlohmann::ordered_json summary_json(const MigrationSummary& summary) {
  return {{"from", summary.from},
          {"to", 7},
          {"rows", {{"agent_runs", summary.rows.agent_runs},
                    {"run_events", summary.rows.run_events},
                    {"commits", summary.rows.commits}}},
          {"derived_event_ids", summary.derived_event_ids},
          {"mapped_statuses", summary.mapped_statuses},
          {"noted_rows", summary.noted_rows},
          {"backup", summary.backup ? nlohmann::ordered_json(*summary.backup) : nlohmann::ordered_json(nullptr)},
          {"free_bytes", summary.free_bytes},
          {"commits_legacy_kept", summary.commits_legacy_kept}};
}

}  // namespace telemetry::db::migrations
