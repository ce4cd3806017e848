#pragma once
// The one verified copy of a database, made by `telemetry backup` and by
// `telemetry migrate` before it changes anything (docs/reference/schema.md §4.8):
// copy with the online backup API into a temporary file, verify that copy
// (verify_copy.h), fsync it, and only then rename it to its final name, so
// that a failed or interrupted copy never leaves a file that looks like a
// backup. On every failure the temporary file is deleted (TemporaryFile).
#include <cstdint>
#include <string>

#include "db/backup/online_copy.h"
#include "util/sqlite_settings.h"
#include "util/temporary_file.h"

namespace telemetry::db::backup {

struct VerifiedCopyOptions {
  JournalMode journal_mode = JournalMode::kDelete;  // of the copy: a backup file stands alone
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 30000;
  CopyControl control;
};

struct VerifiedCopy {
  SourceSnapshot source;  // shape and row counts copied
  std::uint64_t bytes = 0;
  double copy_seconds = 0;
  double verify_seconds = 0;  // verification, fsync and rename
};

// Copies `source` into `temporary` (an existing empty file), verifies it,
// fsyncs it and renames it to `destination`, then marks `temporary` kept.
// Throws Error: kCorrupt or kInvalidInput when the source is damaged or not
// SQLite (a copy that fails verification while the source passes quick_check
// is kIo), kDiskFull / kCannotCreate when the copy cannot be written, kIo,
// kBusy, or stopped_by() a signal.
VerifiedCopy make_verified_copy(Connection& source, TemporaryFile& temporary, const std::string& destination,
                                const VerifiedCopyOptions& options);

}  // namespace telemetry::db::backup
