#include <catch2/catch.hpp>

#include <algorithm>

#include "db/migrations/canonical.h"
#include "db/migrations/database_shape.h"
#include "db/schema.h"
#include "temp_db.h"

using namespace telemetry;
using Kind = db::migrations::CanonicalDifference::Kind;

namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

bool has_kind(const db::migrations::CanonicalReport& report, Kind kind, const std::string& table) {
  return std::any_of(report.differences.begin(), report.differences.end(),
                     [&](const db::migrations::CanonicalDifference& d) { return d.kind == kind && d.table == table; });
}

}  // namespace

TEST_CASE("the canonical schema passes every rule of 2.1") {
  TempDb temp;
  db::Connection connection(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  db::create_schema_v7(connection);
  db::migrations::CanonicalReport report = db::migrations::check_canonical(connection);
  for (const auto& d : report.differences) INFO(d.message);
  CHECK(report.canonical());
  CHECK(db::migrations::canonical_indexes().size() == 18);
  CHECK(db::migrations::canonical_columns("agent_runs").size() == 47);
}

TEST_CASE("formatting, quoting and case of the DDL do not matter") {
  TempDb temp;
  db::Connection connection(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  std::string sql = replaced(db::schema_v7_sql(), "CHECK (items_failed >= 0)", "check (  \"items_failed\"\n  >=   0 )");
  sql = replaced(sql, "TEXT NOT NULL DEFAULT (datetime('now'))", "text NOT NULL DEFAULT ( DATETIME('now') )");
  connection.exec(sql);
  db::migrations::CanonicalReport report = db::migrations::check_canonical(connection);
  for (const auto& d : report.differences) INFO(d.message);
  CHECK(report.canonical());
}

TEST_CASE("each kind of difference is reported and attributed to its table") {
  TempDb temp;
  db::Connection connection(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);

  SECTION("a missing index and one with another direction") {
    std::string sql = replaced(db::schema_v7_sql(), "CREATE INDEX idx_runs_job_type              ON agent_runs(job_type);", "");
    sql = replaced(sql, "ON agent_runs(start_time);", "ON agent_runs(start_time DESC);");
    connection.exec(sql);
    db::migrations::CanonicalReport report = db::migrations::check_canonical(connection);
    CHECK(report.index_differences() == std::vector<std::string>{"idx_runs_start", "idx_runs_job_type"});
    CHECK_FALSE(report.table_differs("agent_runs"));
  }
  SECTION("the v6-canonical schema_version default, a missing CHECK, a version 6") {
    std::string sql = replaced(db::schema_v7_sql(), "INTEGER DEFAULT 7", "INTEGER DEFAULT 6");
    sql = replaced(sql, " CHECK (duration_ms >= 0)", "");
    sql = replaced(sql, "VALUES (7,", "VALUES (6,");
    connection.exec(sql);
    db::migrations::CanonicalReport report = db::migrations::check_canonical(connection);
    CHECK(has_kind(report, Kind::kColumns, "agent_runs"));
    CHECK(has_kind(report, Kind::kChecks, "agent_runs"));
    CHECK(has_kind(report, Kind::kVersion, "schema_migrations"));
    CHECK(report.table_differs("agent_runs"));
    CHECK_FALSE(report.table_differs("run_events"));
  }
  SECTION("no UNIQUE on event_id, no AUTOINCREMENT, a trigger, a missing table") {
    std::string sql = replaced(db::schema_v7_sql(), "event_id             TEXT NOT NULL UNIQUE,", "event_id TEXT NOT NULL,");
    sql = replaced(sql, "id           INTEGER PRIMARY KEY AUTOINCREMENT,", "id INTEGER PRIMARY KEY,");
    connection.exec(sql);
    connection.exec("CREATE TRIGGER t AFTER INSERT ON agent_runs BEGIN SELECT 1; END; DROP TABLE commits;");
    db::migrations::CanonicalReport report = db::migrations::check_canonical(connection);
    CHECK(has_kind(report, Kind::kUniqueness, "agent_runs"));
    CHECK(has_kind(report, Kind::kAutoincrement, "run_events"));
    CHECK(has_kind(report, Kind::kViewOrTrigger, "agent_runs"));
    CHECK(has_kind(report, Kind::kMissingTable, "commits"));
  }
}

TEST_CASE("the other three tables are classified on their own (3.5)") {
  TempDb temp;
  db::Connection connection(temp.path, db::Connection::Mode::kReadWriteCreate, 1000);
  std::string sql = db::schema_v7_sql();
  connection.exec(sql.substr(0, sql.find("CREATE TABLE run_events")));  // agent_runs only
  connection.exec(
      "CREATE TABLE run_events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, event_type TEXT NOT NULL,"
      " timestamp TIMESTAMP, message TEXT, details TEXT);"
      "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, version INTEGER NOT NULL,"
      " description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);");
  db::migrations::DatabaseShape shape = db::migrations::detect_database_shape(connection);
  CHECK(shape.id == db::Shape::kV7);
  CHECK(shape.others.run_events == db::migrations::TableVariant::kV6Original);
  CHECK(shape.others.commits == db::migrations::TableVariant::kAbsent);
  CHECK(shape.others.schema_migrations == db::migrations::TableVariant::kScript);

  connection.exec("CREATE TABLE commits (sha TEXT PRIMARY KEY, note TEXT)");
  shape = db::migrations::detect_database_shape(connection);
  CHECK(shape.id == db::Shape::kUnknown);
  CHECK(shape.details.find("commits has unrecognised columns (note, sha)") != std::string::npos);
}
