// open_for_reading: the one way read-only commands open the database, and the kinds
// of failure it names (docs/architecture.md "Errors").
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>

#include "db/database.h"
#include "db/read_only_database.h"
#include "temp_db.h"

using namespace telemetry;
using db::ShapeRequirement;

namespace {

std::optional<ErrorKind> kind_of(const std::string& path, ShapeRequirement requirement) {
  try {
    db::open_for_reading(path, 1000, requirement);
  } catch (const Error& error) {
    return error.kind();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a missing file is not found and a file that is not SQLite is invalid input") {
  TempDb temp;
  CHECK(kind_of(temp.path, ShapeRequirement::kAgentRuns) == ErrorKind::kNotFound);
  std::ofstream(temp.path) << "this is not a database, not even close to one; it is plain text\n";
  CHECK(kind_of(temp.path, ShapeRequirement::kAgentRuns) == ErrorKind::kInvalidInput);
}

TEST_CASE("an empty database passes only kV7OrEmpty, as nothing to read") {
  TempDb temp;
  { db::Connection create(temp.path, db::Connection::Mode::kReadWriteCreate, 1000); }
  CHECK(db::open_for_reading(temp.path, 1000, ShapeRequirement::kV7OrEmpty) == nullptr);
  CHECK(kind_of(temp.path, ShapeRequirement::kV7) == ErrorKind::kInvalidInput);
  CHECK(kind_of(temp.path, ShapeRequirement::kAgentRuns) == ErrorKind::kInvalidInput);
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
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInvalidInput);
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

TEST_CASE("read_failure names a SQLite error's kind like every command does") {
  const Error busy = db::read_failure(db::SqliteError(SQLITE_BUSY, SQLITE_BUSY, "database is locked"), "/x.sqlite");
  CHECK(busy.kind() == ErrorKind::kBusy);
  CHECK(std::string(busy.what()) == "database /x.sqlite: database is locked");
  CHECK(db::read_failure(db::SqliteError(SQLITE_NOTADB, SQLITE_NOTADB, "file is not a database"), "/x.sqlite")
            .kind() == ErrorKind::kInvalidInput);
}
