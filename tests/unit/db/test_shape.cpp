#include <catch2/catch.hpp>

#include "db/database.h"
#include "db/shape.h"
#include "temp_db.h"
#include "util/error.h"

using namespace telemetry;

namespace {

void exec_sql(const std::string& path, const std::string& sql) {
  db::Connection connection(path, db::Connection::Mode::kReadWriteCreate, 1000);
  connection.exec(sql);
}

std::optional<telemetry::ErrorKind> refusal_kind(const std::string& path) {
  try {
    db::open_servable(path, db::ConnectionSettings{}, true);
  } catch (const Error& error) {
    return error.kind();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("an empty file is shape empty; the created schema is shape v7") {
  TempDb temp;
  exec_sql(temp.path, "CREATE TABLE unrelated (x)");
  {
    db::Connection connection(temp.path, db::Connection::Mode::kReadWrite, 1000);
    CHECK(db::detect_shape(connection).id == db::Shape::kEmpty);
  }
  db::open_servable(temp.path, db::ConnectionSettings{}, true);
  db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
  CHECK(db::detect_shape(connection).id == db::Shape::kV7);
  CHECK(db::event_id_is_unique(connection));
}

TEST_CASE("a library-v3 table is recognised and refused by serve with 65") {
  TempDb temp;
  exec_sql(temp.path,
           "CREATE TABLE agent_runs (run_id TEXT PRIMARY KEY, schema_version INTEGER DEFAULT 3, agent_name TEXT NOT NULL,"
           " agent_owner TEXT, job_type TEXT, trigger_type TEXT, start_time TEXT NOT NULL, end_time TEXT, status TEXT,"
           " items_discovered INTEGER DEFAULT 0, items_succeeded INTEGER DEFAULT 0, items_failed INTEGER DEFAULT 0,"
           " duration_ms INTEGER, input_summary TEXT, output_summary TEXT, error_summary TEXT, metrics_json TEXT,"
           " insight_id TEXT, product TEXT, platform TEXT, product_family TEXT, subdomain TEXT, git_repo TEXT,"
           " git_branch TEXT, git_run_tag TEXT, host TEXT, api_posted INTEGER DEFAULT 0, api_posted_at TEXT,"
           " api_retry_count INTEGER DEFAULT 0, created_at TEXT DEFAULT (datetime('now')),"
           " updated_at TEXT DEFAULT (datetime('now')))");
  {
    db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
    CHECK(db::detect_shape(connection).id == db::Shape::kLibraryV3);
  }
  CHECK(refusal_kind(temp.path) == telemetry::ErrorKind::kInvalidInput);
}

TEST_CASE("an unrecognised agent_runs is unknown with the nearest shape named") {
  TempDb temp;
  exec_sql(temp.path, "CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, something TEXT)");
  db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
  db::ShapeReport report = db::detect_shape(connection);
  CHECK(report.id == db::Shape::kUnknown);
  CHECK(report.details.find("nearest to") != std::string::npos);
  const auto extra = report.details.find("extra columns:");
  REQUIRE(extra != std::string::npos);
  CHECK(report.details.find("something", extra) != std::string::npos);
}

TEST_CASE("a file that is not SQLite is refused with 65") {
  TempDb temp;
  { std::FILE* f = std::fopen(temp.path.c_str(), "wb"); std::fputs("this is not a database, just text padding......................................................", f); std::fclose(f); }
  CHECK(refusal_kind(temp.path) == telemetry::ErrorKind::kInvalidInput);
}

TEST_CASE("every shape keeps the name of docs/reference/schema.md §3.3") {
  using db::Shape;
  const std::vector<std::pair<Shape, std::string>> names = {
      {Shape::kEmpty, "empty"},
      {Shape::kLibraryV3, "library-v3"},
      {Shape::kLibraryV4, "library-v4"},
      {Shape::kLibraryV5, "library-v5"},
      {Shape::kLibraryV5EventId, "library-v5-event-id"},
      {Shape::kLibraryV7, "library-v7"},
      {Shape::kV6Original, "v6-original"},
      {Shape::kV6OriginalGit, "v6-original-git"},
      {Shape::kV6Canonical, "v6-canonical"},
      {Shape::kV7, "v7"},
      {Shape::kUnknown, "unknown"},
  };
  for (const auto& [shape, name] : names) {
    CHECK(db::shape_name(shape) == name);
    CHECK(db::is_library_shape(shape) == (name.rfind("library-", 0) == 0));
  }
}
