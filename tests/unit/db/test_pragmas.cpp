// Switching journal mode and synchronous level and reading back what is in force.
#include <catch2/catch.hpp>

#include "db/pragmas.h"
#include "temp_db.h"

using namespace telemetry;

TEST_CASE("set_journal_mode answers the mode in force") {
  TempDb temp;
  db::Connection connection(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  connection.exec("CREATE TABLE t (x)");
  CHECK(db::set_journal_mode(connection, JournalMode::kWal) == JournalMode::kWal);
  CHECK(db::journal_mode_in_force(connection) == JournalMode::kWal);
  CHECK(db::set_journal_mode(connection, JournalMode::kTruncate) == JournalMode::kTruncate);
}

TEST_CASE("an in-memory database keeps MEMORY whatever is asked") {
  db::Connection connection(":memory:", db::Connection::Mode::kReadWriteCreate, 1000);
  CHECK(db::set_journal_mode(connection, JournalMode::kWal) == JournalMode::kMemory);
}

TEST_CASE("set_synchronous answers the level in force") {
  TempDb temp;
  db::Connection connection(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  CHECK(db::set_synchronous(connection, Synchronous::kNormal) == Synchronous::kNormal);
  CHECK(db::set_synchronous(connection, Synchronous::kExtra) == Synchronous::kExtra);
}
