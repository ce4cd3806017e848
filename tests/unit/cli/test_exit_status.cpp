// cli/exit_status.h: the one place a kind becomes an exit code
// (docs/reference/configuration.md §7, docs/architecture.md "Errors").
#include <catch2/catch.hpp>

#include "cli/exit_status.h"

using telemetry::ErrorKind;
using telemetry::cli::exit_code_for;
using telemetry::db::SqliteError;

TEST_CASE("every kind has its sysexits code") {
  CHECK(exit_code_for(ErrorKind::kInvalidInput) == 65);
  CHECK(exit_code_for(ErrorKind::kCorrupt) == 65);
  CHECK(exit_code_for(ErrorKind::kConflict) == 65);
  CHECK(exit_code_for(ErrorKind::kNotFound) == 66);
  CHECK(exit_code_for(ErrorKind::kUnavailable) == 69);
  CHECK(exit_code_for(ErrorKind::kInternal) == 70);
  CHECK(exit_code_for(ErrorKind::kCannotCreate) == 73);
  CHECK(exit_code_for(ErrorKind::kDiskFull) == 73);
  CHECK(exit_code_for(ErrorKind::kIo) == 74);
  CHECK(exit_code_for(ErrorKind::kReadOnly) == 74);
  CHECK(exit_code_for(ErrorKind::kBusy) == 75);
  CHECK(exit_code_for(ErrorKind::kConfig) == 78);
  CHECK(exit_code_for(ErrorKind::kInterrupted) == 130);
  CHECK(exit_code_for(ErrorKind::kTerminated) == 143);
}

TEST_CASE("SQLite failures get the exit codes the commands always used") {
  CHECK(exit_code_for(SqliteError(SQLITE_NOTADB, SQLITE_NOTADB, "")) == 65);
  CHECK(exit_code_for(SqliteError(SQLITE_CORRUPT, SQLITE_CORRUPT, "")) == 65);
  CHECK(exit_code_for(SqliteError(SQLITE_BUSY, SQLITE_BUSY, "")) == 75);
  CHECK(exit_code_for(SqliteError(SQLITE_LOCKED, SQLITE_LOCKED, "")) == 75);
  CHECK(exit_code_for(SqliteError(SQLITE_CANTOPEN, SQLITE_CANTOPEN, "")) == 73);
  CHECK(exit_code_for(SqliteError(SQLITE_FULL, SQLITE_FULL, "")) == 73);
  CHECK(exit_code_for(SqliteError(SQLITE_IOERR, SQLITE_IOERR_WRITE, "")) == 74);
  CHECK(exit_code_for(SqliteError(SQLITE_ERROR, SQLITE_ERROR, "")) == 70);
}

TEST_CASE("where the old tables disagreed, the one table decides") {
  // Read-only storage: an I/O error (74) as for every command, not "cannot
  // create" (73) as the pre-migrate backup said: the file exists, writing it fails.
  CHECK(exit_code_for(SqliteError(SQLITE_READONLY, SQLITE_READONLY_DBMOVED, "")) == 74);
  // A constraint or type mismatch is the data's fault (65), as migrate said,
  // not an internal error (70) as the other commands said.
  CHECK(exit_code_for(SqliteError(SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_UNIQUE, "")) == 65);
  CHECK(exit_code_for(SqliteError(SQLITE_MISMATCH, SQLITE_MISMATCH, "")) == 65);
}

TEST_CASE("exit codes combine in the order 70, 74, 73, 78, 69, 75, 66, 65") {
  using telemetry::cli::combined_exit_code;
  CHECK(combined_exit_code({}) == 0);
  CHECK(combined_exit_code({0, 0}) == 0);
  CHECK(combined_exit_code({65, 66}) == 66);
  CHECK(combined_exit_code({65, 75, 69}) == 69);
  CHECK(combined_exit_code({73, 74}) == 74);
  CHECK(combined_exit_code({65, 70, 74}) == 70);
  CHECK(combined_exit_code({78, 69}) == 78);
  CHECK(combined_exit_code({0, 71}) == 71);
}
