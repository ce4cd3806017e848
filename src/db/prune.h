#pragma once
// telemetry prune without its command line (docs/reference/configuration.md §4.2, §5):
// deletes the runs created before a cutoff in batches of one transaction each,
// holding the single-writer lock, and optionally VACUUMs. `serve` applies the same
// rule on its own with TELEMETRY_RETENTION_DAYS (http/retention.h).
#include <cstdint>
#include <functional>
#include <string>

#include "db/database.h"

namespace telemetry::db {

struct PruneOptions {
  std::string db_path;
  std::string lock_file;
  ConnectionSettings settings;
  std::string cutoff;              // canonical UTC: rows whose created_at is before it go
  std::int64_t batch_size = 10000;  // rows per transaction, the same as serve's retention
  bool vacuum = false;
  // Called after each committed batch with the runs deleted so far.
  std::function<void(std::int64_t)> progress;
};

struct PruneResult {
  std::int64_t deleted = 0;
  std::int64_t batches = 0;
  bool vacuumed = false;
  std::uint64_t freed_bytes = 0;  // by VACUUM
  double seconds = 0;
  // The stop signal (util/stop_signals.h) that ended the batches early, else 0.
  // The batches committed before it stay deleted; VACUUM is skipped.
  int stopped_by = 0;
};

// Takes the lock (kUnavailable naming the holder, with the advice to let serve
// prune), opens the v7 database and deletes. Throws Error: the open's kinds, or a
// SQLite failure's kind naming how many runs were deleted before it.
// Polls the stop signals between batches: the caller installs the handlers.
PruneResult prune_runs(const PruneOptions& options);

struct PruneCount {
  std::int64_t matching = 0;  // runs created before the cutoff
  std::int64_t total = 0;
};

// --dry-run: counts without the lock, in one read transaction, on a v7 database.
PruneCount count_prunable(const std::string& db_path, int busy_timeout_ms, const std::string& cutoff);

}  // namespace telemetry::db
