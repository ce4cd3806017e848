// Databases from outside (migrate, check, backup restore) are opened so that
// nothing stored in them runs: triggers do not fire, views are not expanded,
// the schema cannot be written behind SQLite's back (issue 14, point 3c).
#include <catch2/catch.hpp>

#include "db/outside_database.h"
#include "temp_db.h"

using namespace telemetry::db;

namespace {

void make_crafted_file(const std::string& path) {
  Connection setup(path, Connection::Mode::kReadWriteCreate, 1000);
  setup.exec(
      "CREATE TABLE t(x); CREATE TABLE audit(note TEXT);"
      "CREATE TRIGGER spy AFTER INSERT ON t BEGIN INSERT INTO audit VALUES ('fired'); END;"
      "CREATE VIEW v AS SELECT count(*) AS n FROM t;");
}

}  // namespace

TEST_CASE("an ordinary connection runs the file's triggers and views (what the hardening prevents)") {
  TempDb temp;
  make_crafted_file(temp.path);
  Connection plain(temp.path, Connection::Mode::kReadWrite, 1000);
  plain.exec("INSERT INTO t VALUES (1)");
  CHECK(plain.query_int("SELECT count(*) FROM audit") == 1);
  CHECK(plain.query_int("SELECT n FROM v") == 1);
}

TEST_CASE("an outside database's triggers do not fire and its views are not expanded") {
  TempDb temp;
  make_crafted_file(temp.path);
  auto outside = open_outside_database(temp.path, Connection::Mode::kReadWrite, 1000);
  outside->exec("INSERT INTO t VALUES (1)");
  CHECK(outside->query_int("SELECT count(*) FROM t") == 1);
  CHECK(outside->query_int("SELECT count(*) FROM audit") == 0);
  CHECK_THROWS_AS(outside->query_int("SELECT n FROM v"), SqliteError);
}

TEST_CASE("an outside database is opened defensive and with an untrusted schema") {
  TempDb temp;
  make_crafted_file(temp.path);
  auto outside = open_outside_database(temp.path, Connection::Mode::kReadOnly, 1000);
  int defensive = -1, trusted = -1;
  sqlite3_db_config(outside->handle(), SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
  sqlite3_db_config(outside->handle(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &trusted);
  CHECK(defensive == 1);
  CHECK(trusted == 0);
  // Defensive mode: writable_schema is refused even on a read-write connection.
  auto writable = open_outside_database(temp.path, Connection::Mode::kReadWrite, 1000);
  writable->exec("PRAGMA writable_schema=ON");
  CHECK_THROWS_AS(writable->exec("UPDATE sqlite_master SET sql = sql WHERE name = 't'"), SqliteError);
}

TEST_CASE("identifiers from a file are quoted, embedded quotes doubled") {
  CHECK(quote_identifier("agent_runs") == "\"agent_runs\"");
  CHECK(quote_identifier("a\"; DROP TABLE x; --") == "\"a\"\"; DROP TABLE x; --\"");
}
