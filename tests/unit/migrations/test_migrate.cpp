#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "db/migrations/canonical.h"
#include "db/migrations/event_id.h"
#include "db/migrations/migrate.h"
#include "db/schema.h"
#include "util/command_error.h"
#include "temp_db.h"

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

int exit_code_of(const MigrateOptions& options) {
  try {
    migrate_database(options);
  } catch (const CommandError& error) {
    return error.exit_code();
  }
  return 0;
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

TEST_CASE("a failure injected before COMMIT leaves the file byte-identical") {
  TempDb temp;
  load(temp.path, fixture("library-v3.sql"));
  const std::string before = read_file(temp.path);
  MigrateOptions options = options_for(temp);
  options.backup = false;
  for (int step = 1; step <= 3; ++step) {
    options.fail_after_step = step;
    CHECK(exit_code_of(options) == 70);
    CHECK(read_file(temp.path) == before);
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
  CHECK(exit_code_of(options) == 65);
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
