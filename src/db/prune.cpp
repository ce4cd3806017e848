#include "db/prune.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "db/read_only_database.h"
#include "db/run_queries.h"
#include "db/run_store.h"
#include "db/sqlite.h"
#include "util/error.h"
#include "util/file_sync.h"
#include "util/format_numbers.h"
#include "util/lock_file.h"
#include "util/stop_signals.h"

namespace telemetry::db {
namespace {

std::unique_ptr<WriterLock> take_lock(const PruneOptions& options) {
  try {
    return WriterLock::acquire(options.lock_file, options.db_path, "prune");
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kUnavailable) throw;
    throw Error(error.kind(), std::string(error.what()) +
                                  "; prune is a writer and cannot run beside it. Stop the writer first, or let "
                                  "'telemetry serve' prune by itself with TELEMETRY_RETENTION_DAYS=N");
  }
}

// VACUUM writes a full copy of the database before replacing it. Returns the bytes freed.
std::uint64_t vacuum(Connection& connection, const std::string& db_path) {
  const auto pages_before = connection.query_int("PRAGMA page_count");
  const auto page_size = connection.query_int("PRAGMA page_size");
  require_free_space(std::filesystem::path(db_path).parent_path().string(),
                     static_cast<std::uint64_t>(pages_before * page_size), "VACUUM the database");
  connection.exec("VACUUM");
  return static_cast<std::uint64_t>((pages_before - connection.query_int("PRAGMA page_count")) * page_size);
}

}  // namespace

PruneResult prune_runs(const PruneOptions& options) {
  auto lock = take_lock(options);
  ServableDatabase database = open_servable(options.db_path, options.settings, /*create=*/false);
  Connection& connection = *database.connection;

  PruneResult result;
  const auto start = std::chrono::steady_clock::now();
  try {
    RunStore store(connection);
    for (;;) {
      if ((result.stopped_by = received_stop_signal()) != 0) break;
      Transaction transaction(connection);
      const std::int64_t n = store.delete_created_before(options.cutoff, options.batch_size);
      transaction.commit();
      result.deleted += n;
      ++result.batches;
      if (options.progress) options.progress(result.deleted);
      if (n < options.batch_size) break;
    }
    if (options.vacuum && result.stopped_by == 0) {
      result.freed_bytes = vacuum(connection, options.db_path);
      result.vacuumed = true;
    }
  } catch (const SqliteError& failure) {
    throw Error(error_kind(failure), fmt::format("database {}: {} (after deleting {} runs in {} committed batches)",
                                                 options.db_path, failure.what(), with_thousands(result.deleted),
                                                 result.batches));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

PruneCount count_prunable(const std::string& db_path, int busy_timeout_ms, const std::string& cutoff) {
  auto connection = open_for_reading(db_path, busy_timeout_ms, ShapeRequirement::kV7);
  PruneCount count;
  try {
    // created_at is NOT NULL, so the rows before the cutoff are all rows but
    // those at or after it; one read transaction keeps the two counts consistent.
    connection->exec("BEGIN");
    count.total = count_runs(*connection);
    count.matching = count.total - count_created_since(*connection, cutoff);
    connection->exec("COMMIT");
  } catch (const SqliteError& failure) {
    throw read_failure(failure, db_path);
  }
  return count;
}

}  // namespace telemetry::db
