#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "db/migrations/canonical.h"
#include "db/migrations/event_id.h"
#include "db/migrations/migrate.h"
#include "db/schema.h"
#include "fault_env.h"
#include "temp_db.h"
#include "util/error.h"

using namespace telemetry;
using db::migrations::MigrateOptions;
using db::migrations::MigrateResult;
using db::migrations::migrate_database;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string fixture(const std::string& name) {
  const char* dir = std::getenv("TELEMETRY_FIXTURES_DIR");
  REQUIRE(dir != nullptr);
  std::string text = read_file(std::string(dir) + "/" + name);
  REQUIRE(!text.empty());
  return text;
}

void load(const std::string& path, const std::string& sql) {
  db::Connection connection(path, db::Connection::Mode::kReadWriteCreate, 1000);
  connection.exec(sql);
}

MigrateOptions options_for(const TempDb& temp) {
  MigrateOptions options;
  options.db_path = temp.path;
  options.lock_file = temp.path + ".lock";
  options.busy_timeout_ms = 1000;
  return options;
}

std::optional<ErrorKind> error_kind_of(const MigrateOptions& options) {
  try {
    migrate_database(options);
  } catch (const Error& error) {
    return error.kind();
  }
  return std::nullopt;
}

std::string text_at(db::Connection& connection, const std::string& sql) { return connection.query_text(sql); }

}  // namespace

TEST_CASE("library-v5-event-id: ids kept, derived, duplicates replaced with a note") {
  TempDb temp;
  load(temp.path, fixture("library-v5-event-id.sql"));
  MigrateOptions options = options_for(temp);
  options.backup = false;
  MigrateResult result = migrate_database(options);
  REQUIRE(result.outcome == MigrateResult::Outcome::kMigrated);
  CHECK(result.summary.from == "library-v5-event-id");
  CHECK(result.summary.rows.agent_runs == 7);
  CHECK(result.summary.derived_event_ids == 5);  // 4 NULL + 1 duplicate

  db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
  CHECK(db::migrations::check_canonical(connection).canonical());
  // Row 1 kept its id, row 3 was first with "evt-shared", row 5 lost it.
  CHECK(text_at(connection, "SELECT event_id FROM agent_runs WHERE id=1") == "evt-kept-0001");
  CHECK(text_at(connection, "SELECT event_id FROM agent_runs WHERE id=3") == "evt-shared");
  CHECK(text_at(connection, "SELECT event_id FROM agent_runs WHERE id=5") ==
        db::migrations::event_id_for_run_id("negative-5"));
  auto note = nlohmann::json::parse(text_at(connection, "SELECT context_json FROM agent_runs WHERE id=5"));
  CHECK(note["telemetry_migrate"]["from"] == "library-v5-event-id");
  CHECK(note["telemetry_migrate"]["original"]["event_id"] == "evt-shared");
  CHECK(note["telemetry_migrate"]["original"]["duration_ms"] == -1500);
  CHECK(note["telemetry_migrate"]["original"]["items_failed"] == -2);
  // The NULL run_id row: legacy-rowid-7 and its derived id.
  CHECK(text_at(connection, "SELECT run_id FROM agent_runs WHERE id=7") == "legacy-rowid-7");
  CHECK(text_at(connection, "SELECT event_id FROM agent_runs WHERE id=7") ==
        db::migrations::event_id_for_run_id("legacy-rowid-7"));
}

TEST_CASE("v6-original: sequence kept, events converted, commits with metadata kept aside") {
  TempDb temp;
  load(temp.path, fixture("v6-original.sql"));
  MigrateOptions options = options_for(temp);
  options.backup = false;
  migrate_database(options);
  db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
  CHECK(db::migrations::check_canonical(connection).canonical());
  CHECK(connection.query_int("SELECT seq FROM sqlite_sequence WHERE name='agent_runs'") == 42);
  CHECK(connection.query_int("SELECT seq FROM sqlite_sequence WHERE name='run_events'") == 9);
  CHECK(text_at(connection, "SELECT payload_json FROM run_events WHERE id=1") ==
        "{\"message\":\"Started \\\"nightly\\\"\",\"details\":\"step=1\"}");
  CHECK(connection.query_int("SELECT payload_json IS NULL AND timestamp = '' FROM run_events WHERE id=2") == 1);
  CHECK(connection.query_int("SELECT count(*) FROM commits_legacy_v6") == 2);
  CHECK(text_at(connection, "SELECT commit_date FROM commits WHERE commit_hash LIKE 'b%'") == "2025-12-19T11:00:00+00:00");
  CHECK(connection.query_int("SELECT count(*) FROM agent_runs WHERE event_id = ''") == 1);
  CHECK(connection.query_int("SELECT count(*) FROM agent_runs WHERE schema_version = 6") == 5);
}

TEST_CASE("the script schema_migrations is grouped by version (4.7)") {
  TempDb temp;
  load(temp.path, fixture("library-v5-event-id-script-migrations.sql"));
  MigrateOptions options = options_for(temp);
  options.backup = false;
  migrate_database(options);
  db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
  CHECK(connection.query_int("SELECT count(*) FROM schema_migrations") == 2);
  CHECK(text_at(connection, "SELECT applied_at FROM schema_migrations WHERE version=6") == "2025-12-23 10:00:00");
  CHECK(text_at(connection, "SELECT description FROM schema_migrations WHERE version=6") ==
        "Add event_id column for idempotency | Backfill event_id (failed)");
  CHECK(text_at(connection, "SELECT description FROM schema_migrations WHERE version=7") ==
        "Schema v7: migrated by telemetry from library-v5-event-id");
}

TEST_CASE("a v7 database missing an index only gets the index; a second run is a no-op") {
  TempDb temp;
  load(temp.path, fixture("v7-missing-job-type-index.sql"));
  MigrateOptions options = options_for(temp);
  options.backup = false;
  db::migrations::MigrationPlan seen;
  options.on_plan = [&](const db::migrations::MigrationPlan& plan) { seen = plan; };
  migrate_database(options);
  CHECK(seen.agent_runs == db::migrations::TableAction::kKeep);
  CHECK(seen.indexes_to_create == std::vector<std::string>{"idx_runs_job_type"});
  CHECK(migrate_database(options).outcome == MigrateResult::Outcome::kUpToDate);
}

TEST_CASE("a disk failure at any point of the migration leaves the file as it was, and a later run migrates") {
  using test::FaultInjectingEnv;
  struct Fault {
    FaultInjectingEnv::Call call;
    int code;
  };
  for (const Fault fault : {Fault{FaultInjectingEnv::kWrite, SQLITE_FULL}, Fault{FaultInjectingEnv::kWrite, SQLITE_IOERR_WRITE},
                            Fault{FaultInjectingEnv::kSync, SQLITE_IOERR_FSYNC},
                            Fault{FaultInjectingEnv::kDelete, SQLITE_IOERR_DELETE}}) {
    TempDb temp;
    load(temp.path, fixture("library-v3.sql"));
    const std::string before = read_file(temp.path);
    FaultInjectingEnv env;
    MigrateOptions options = options_for(temp);
    options.backup = false;
    options.env = &env;
    // Every call of the kind the migration makes fails once, in turn, until
    // one past the last: that run goes through.
    int failed_runs = 0;
    for (int nth = 1;; ++nth) {
      CAPTURE(fault.call, fault.code, nth);
      REQUIRE(nth < 10000);
      env.fail(fault.call, nth, fault.code);
      const std::optional<ErrorKind> kind = error_kind_of(options);
      env.heal();
      if (!kind) break;
      ++failed_runs;
      CHECK(*kind == (fault.code == SQLITE_FULL ? ErrorKind::kDiskFull : ErrorKind::kIo));
      // A failure inside COMMIT may leave a hot journal; the next open (here,
      // as in the next run) rolls it back.
      db::Connection reopened(temp.path, db::Connection::Mode::kReadWrite, 1000);
      CHECK(reopened.query_int("SELECT count(*) FROM sqlite_master") > 0);
      CHECK(read_file(temp.path) == before);
      CHECK_FALSE(std::filesystem::exists(temp.path + "-journal"));
      CHECK_FALSE(std::filesystem::exists(options.lock_file));
    }
    CHECK(failed_runs >= 1);
    db::Connection migrated(temp.path, db::Connection::Mode::kReadOnly, 1000);
    CHECK(db::migrations::check_canonical(migrated).differences.empty());
  }
}

TEST_CASE("refusals: unmappable status, a note on a non-object context_json, unknown shape") {
  TempDb temp;
  MigrateOptions options = options_for(temp);
  SECTION("a status outside every alias (CHECK bypassed)") {
    std::string sql = fixture("library-v3.sql");
    sql.replace(sql.find("CHECK (status IN ('running', 'success', 'failed', 'partial'))"),
                std::string("CHECK (status IN ('running', 'success', 'failed', 'partial'))").size(), "");
    load(temp.path, sql);
    load(temp.path, "UPDATE agent_runs SET status='exploded' WHERE run_id='negative-5'");
  }
  SECTION("a damaged v7 whose duplicate event_id needs a note on a JSON array") {
    std::string sql = db::schema_v7_sql();
    sql.replace(sql.find("TEXT NOT NULL UNIQUE"), std::string("TEXT NOT NULL UNIQUE").size(), "TEXT NOT NULL");
    load(temp.path, sql);
    load(temp.path,
         "INSERT INTO agent_runs (event_id, run_id, start_time, agent_name, job_type, context_json) VALUES"
         " ('e', 'r1', 't', 'a', 'j', NULL), ('e', 'r2', 't', 'a', 'j', '[1]')");
  }
  SECTION("an unknown agent_runs") { load(temp.path, "CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, x TEXT)"); }
  const std::string before = read_file(temp.path);
  CHECK(error_kind_of(options) == ErrorKind::kInvalidInput);
  CHECK(read_file(temp.path) == before);
}

TEST_CASE("an empty database gets the canonical schema without a backup") {
  TempDb temp;
  load(temp.path, "CREATE TABLE unrelated (x)");
  MigrateOptions options = options_for(temp);
  MigrateResult result = migrate_database(options);
  CHECK(result.outcome == MigrateResult::Outcome::kMigrated);
  CHECK_FALSE(result.summary.backup);
  db::Connection connection(temp.path, db::Connection::Mode::kReadOnly, 1000);
  CHECK(db::migrations::check_canonical(connection).canonical());
}
