// open_for_reading: the one way read-only commands open the database, and its exit codes
// (docs/reference/configuration.md §7).
#include <catch2/catch.hpp>

#include <fstream>

#include "db/database.h"
#include "db/read_only_database.h"
#include "temp_db.h"

using namespace telemetry;
using db::ShapeRequirement;

namespace {

int exit_code_of(const std::string& path, ShapeRequirement requirement) {
  try {
    db::open_for_reading(path, 1000, requirement);
  } catch (const CommandError& error) {
    return error.exit_code();
  }
  return 0;
}

}  // namespace

TEST_CASE("a missing file is 66 and a file that is not SQLite is 65") {
  TempDb temp;
  CHECK(exit_code_of(temp.path, ShapeRequirement::kAgentRuns) == 66);
  std::ofstream(temp.path) << "this is not a database, not even close to one; it is plain text\n";
  CHECK(exit_code_of(temp.path, ShapeRequirement::kAgentRuns) == 65);
}

TEST_CASE("an empty database passes only kV7OrEmpty, as nothing to read") {
  TempDb temp;
  { db::Connection create(temp.path, db::Connection::Mode::kReadWriteCreate, 1000); }
  CHECK(db::open_for_reading(temp.path, 1000, ShapeRequirement::kV7OrEmpty) == nullptr);
  CHECK(exit_code_of(temp.path, ShapeRequirement::kV7) == 65);
  CHECK(exit_code_of(temp.path, ShapeRequirement::kAgentRuns) == 65);
}

TEST_CASE("another shape is refused with its name for kV7, and accepted for kAgentRuns") {
  TempDb temp;
  {
    db::Connection create(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
    create.exec("CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, something TEXT)");
  }
  CHECK(db::open_for_reading(temp.path, 1000, ShapeRequirement::kAgentRuns) != nullptr);
  try {
    db::open_for_reading(temp.path, 1000, ShapeRequirement::kV7);
    FAIL("an unknown shape was accepted");
  } catch (const CommandError& error) {
    CHECK(error.exit_code() == 65);
    CHECK(std::string(error.what()).rfind("database " + temp.path + " has the unknown schema (agent_runs is nearest", 0) == 0);
  }
}

TEST_CASE("a v7 database opens for every requirement") {
  TempDb temp;
  db::open_servable(temp.path, db::ConnectionSettings{}, true);
  for (ShapeRequirement requirement : {ShapeRequirement::kAgentRuns, ShapeRequirement::kV7, ShapeRequirement::kV7OrEmpty}) {
    CHECK(db::open_for_reading(temp.path, 1000, requirement) != nullptr);
  }
}

TEST_CASE("read_failure maps a SQLite error like every command does") {
  const CommandError busy = db::read_failure(db::SqliteError(SQLITE_BUSY, SQLITE_BUSY, "database is locked"), "/x.sqlite");
  CHECK(busy.exit_code() == 75);
  CHECK(std::string(busy.what()) == "database /x.sqlite: database is locked");
  CHECK(db::read_failure(db::SqliteError(SQLITE_NOTADB, SQLITE_NOTADB, "file is not a database"), "/x.sqlite")
            .exit_code() == 65);
}
