#pragma once
// The command's edge: the one place where what failed (util/error.h's kinds)
// becomes the exit code a user or script sees (docs/reference/configuration.md §7,
// docs/architecture.md "Errors").
#include "db/sqlite.h"
#include "util/command_error.h"
#include "util/error.h"

namespace telemetry::cli {

// kInvalidInput, kCorrupt, kConflict 65; kNotFound 66; kUnavailable 69;
// kInternal 70; kCannotCreate, kDiskFull 73; kIo, kReadOnly 74; kBusy 75;
// kConfig 78; kInterrupted 130; kTerminated 143.
int exit_code_for(ErrorKind kind);
// The exit code of a SQLite failure: its kind's (db/sqlite.h error_kind).
int exit_code_for(const db::SqliteError& error);
// The CommandError carrying `error`'s message and its kind's exit code, for
// code that reports failures as exit codes (ingest's per-file reports).
CommandError command_error_for(const Error& error);

}  // namespace telemetry::cli
