// The copy migrate makes before changing anything: the shared verified copy
// (db/backup/verified_copy.h) under its pre-migrate name.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "db/migrations/pre_migrate_backup.h"
#include "db/sqlite.h"
#include "temp_db.h"
#include "util/error.h"

using namespace telemetry;
namespace fs = std::filesystem;

TEST_CASE("the pre-migrate backup holds the source's rows and replaces a leftover temporary file") {
  TempDb temp;
  db::Connection source(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  source.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)");
  const std::string destination = temp.path + ".pre-migrate-20260101_000000.sqlite";
  std::ofstream(destination + ".tmp") << "left by an interrupted run";

  db::migrations::make_verified_backup(source, destination);

  CHECK_FALSE(fs::exists(destination + ".tmp"));
  db::Connection copy(destination, db::Connection::Mode::kReadOnly, 1000);
  CHECK(copy.query_int("SELECT count(*) FROM t") == 3);
}

TEST_CASE("a pre-migrate backup that cannot be created names it") {
  TempDb temp;
  db::Connection source(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  source.exec("CREATE TABLE t(x)");
  const std::string destination = (temp.dir / "missing" / "backup.sqlite").string();
  try {
    db::migrations::make_verified_backup(source, destination);
    FAIL("made a backup in a missing directory");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kCannotCreate);
    CHECK(std::string(error.what()).rfind("cannot create the backup " + destination + ": ", 0) == 0);
  }
}

TEST_CASE("a pre-migrate backup of a database locked by another process is busy (75), no longer an I/O error") {
  // Before the one classification table the pre-migrate backup had its own,
  // which made SQLITE_BUSY an I/O error (74): retrying later is the remedy.
  TempDb temp;
  {
    db::Connection create(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
    create.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
  }
  db::Connection holder(temp.path, db::Connection::Mode::kReadWrite, 1000);
  holder.exec("BEGIN EXCLUSIVE; INSERT INTO t VALUES (2)");
  db::Connection source(temp.path, db::Connection::Mode::kReadWrite, 10);
  const std::string destination = temp.path + ".pre-migrate-20260101_000000.sqlite";
  try {
    db::migrations::make_verified_backup(source, destination);
    FAIL("copied a database another connection holds exclusively");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kBusy);
  }
  CHECK_FALSE(fs::exists(destination));
  CHECK_FALSE(fs::exists(destination + ".tmp"));
}
