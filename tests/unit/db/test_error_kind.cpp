// db/sqlite.h error_kind, the one classification of SQLite's result codes,
// and the writer's failure scope derived from it (docs/architecture.md, "Errors").
#include <catch2/catch.hpp>

#include "db/sqlite.h"
#include "db/writer.h"

using telemetry::ErrorKind;
using telemetry::db::error_kind;
using telemetry::db::failure_scope;
using telemetry::db::FailureScope;

TEST_CASE("SQLite result codes fall into the engine-neutral kinds") {
  CHECK(error_kind(SQLITE_BUSY) == ErrorKind::kBusy);
  CHECK(error_kind(SQLITE_LOCKED) == ErrorKind::kBusy);
  CHECK(error_kind(SQLITE_FULL) == ErrorKind::kDiskFull);
  CHECK(error_kind(SQLITE_IOERR) == ErrorKind::kIo);
  CHECK(error_kind(SQLITE_CORRUPT) == ErrorKind::kCorrupt);
  CHECK(error_kind(SQLITE_NOTADB) == ErrorKind::kCorrupt);
  CHECK(error_kind(SQLITE_CANTOPEN) == ErrorKind::kCannotCreate);
  CHECK(error_kind(SQLITE_READONLY) == ErrorKind::kReadOnly);
  CHECK(error_kind(SQLITE_CONSTRAINT) == ErrorKind::kConflict);
  CHECK(error_kind(SQLITE_MISMATCH) == ErrorKind::kInvalidInput);
  CHECK(error_kind(SQLITE_ERROR) == ErrorKind::kInternal);
  CHECK(error_kind(SQLITE_NOMEM) == ErrorKind::kInternal);
  CHECK(error_kind(SQLITE_INTERRUPT) == ErrorKind::kInternal);
}

TEST_CASE("a SqliteError is classified by its primary code, whatever its extended code") {
  CHECK(error_kind(telemetry::db::SqliteError(SQLITE_IOERR, SQLITE_IOERR_FSYNC, "disk I/O error")) == ErrorKind::kIo);
  CHECK(error_kind(telemetry::db::SqliteError(SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, "busy")) == ErrorKind::kBusy);
}

TEST_CASE("the writer retries busy and full groups, stops on storage failures, fails only the operation otherwise") {
  // The same outcome per SQLite code as before the kinds existed (docs/reference/http-api.md §8).
  CHECK(failure_scope(error_kind(SQLITE_BUSY)) == FailureScope::kBusy);
  CHECK(failure_scope(error_kind(SQLITE_LOCKED)) == FailureScope::kBusy);
  CHECK(failure_scope(error_kind(SQLITE_FULL)) == FailureScope::kFull);
  for (int code : {SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN, SQLITE_READONLY}) {
    CHECK(failure_scope(error_kind(code)) == FailureScope::kStorage);
  }
  for (int code : {SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_ERROR, SQLITE_TOOBIG}) {
    CHECK(failure_scope(error_kind(code)) == FailureScope::kOperation);
  }
}
