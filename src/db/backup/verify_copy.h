#pragma once
// Verifying a copy before anyone may rely on it (docs/reference/configuration.md §4.3, docs/reference/schema.md §4.8):
// integrity_check passes, the shape is the source's, every table holds the
// rows the source held at copy time.
#include <string>

#include "db/backup/online_copy.h"

namespace telemetry::db::backup {

struct CopyVerification {
  bool ok = false;
  std::string problem;  // what failed, for the error message
  JournalMode journal_mode = JournalMode::kDelete;  // in force on the copy after switching
};

// Opens the copy at `path`, switches it to `journal_mode` (a copy of a WAL
// database carries the WAL flag in its header; a backup file should stand
// alone, so backups use DELETE), then checks it against `expected`.
// Interruptible through `control`; SQLite errors other than corruption propagate.
CopyVerification verify_copy(const std::string& path, const SourceSnapshot& expected,
                             JournalMode journal_mode, Synchronous synchronous,
                             int busy_timeout_ms, const CopyControl& control);

}  // namespace telemetry::db::backup
