#pragma once
// The command's edge: the one place where what failed (util/error.h's kinds)
// becomes the exit code a user or script sees (docs/reference/configuration.md §7,
// docs/architecture.md "Errors").
#include <vector>

#include "db/sqlite.h"
#include "util/error.h"

namespace telemetry::cli {

// kInvalidInput, kCorrupt, kConflict 65; kNotFound 66; kUnavailable 69;
// kInternal 70; kCannotCreate, kDiskFull 73; kIo, kReadOnly 74; kBusy 75;
// kConfig 78; kInterrupted 130; kTerminated 143.
int exit_code_for(ErrorKind kind);
// The exit code of a SQLite failure: its kind's (db/sqlite.h error_kind).
int exit_code_for(const db::SqliteError& error);
// Several outcomes in one exit code (ingest-buffer's inputs,
// docs/reference/buffer-files.md §15.2): the first of 70, 74, 73, 78, 69, 75,
// 66, 65 present in `codes`; any other non-zero code; 0 if none.
int combined_exit_code(const std::vector<int>& codes);

}  // namespace telemetry::cli
