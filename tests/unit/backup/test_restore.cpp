#include <catch2/catch.hpp>

#include <fstream>

#include "backup_fixtures.h"
#include "db/backup/make_backup.h"
#include "db/backup/restore.h"
#include "temp_db.h"
#include "util/error.h"

using namespace telemetry;
using namespace telemetry::db::backup;
using namespace backup_test;
namespace fs = std::filesystem;

namespace {

RestoreOptions restore_options(const std::string& db_path, TimePoint now) {
  RestoreOptions options;
  options.db_path = db_path;
  options.busy_timeout_ms = 5000;
  options.now = now;
  return options;
}

std::string make_backup_of(const TempDb& temp) {
  BackupOptions options;
  options.db_path = temp.path;
  options.backup_dir = (temp.dir / "backups").string();
  options.started = std::chrono::system_clock::now();
  return make_backup(options).path;
}

std::optional<ErrorKind> error_kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind();
  }
  return std::nullopt;
}

const TimePoint kNow = std::chrono::system_clock::from_time_t(1768382102);  // 2026-01-14T09:15:02Z

}  // namespace

TEST_CASE("restore round trip: the backup comes back, the replaced database is kept and can be restored") {
  TempDb temp;
  insert_runs(temp.path, "before", 5);
  const std::string backup = make_backup_of(temp);
  insert_runs(temp.path, "after", 3);
  REQUIRE(count_runs(temp.path) == 8);

  RestoreSource source = inspect_restore_file(backup, 5000, {});
  CHECK(source.shape == db::Shape::kV7);
  CHECK(source.row_counts.at("agent_runs") == 5);
  RestoreOutcome outcome = restore_database(restore_options(temp.path, kNow), source);
  REQUIRE(outcome.safety_copy);
  CHECK(*outcome.safety_copy == temp.path + ".pre-restore-20260114_091502.sqlite");
  CHECK(outcome.journal_mode == JournalMode::kDelete);
  CHECK(count_runs(temp.path) == 5);
  CHECK(count_runs(*outcome.safety_copy) == 8);

  // Undo: restore the safety copy.
  RestoreOutcome undo = restore_database(restore_options(temp.path, kNow),
                                         inspect_restore_file(*outcome.safety_copy, 5000, {}));
  REQUIRE(undo.safety_copy);
  CHECK(*undo.safety_copy == temp.path + ".pre-restore-20260114_091502-1.sqlite");
  CHECK(count_runs(temp.path) == 8);
  // No temporary file is left beside the database.
  for (const std::string& name : files_in(temp.dir)) CHECK(name.find("restore-tmp") == std::string::npos);
}

TEST_CASE("restore applies the configured journal mode and moves a WAL with the old file") {
  TempDb temp;
  insert_runs(temp.path, "x", 4);
  const std::string backup = make_backup_of(temp);
  RestoreOptions options = restore_options(temp.path, kNow);
  options.journal_mode = JournalMode::kWal;
  RestoreOutcome outcome = restore_database(options, inspect_restore_file(backup, 5000, {}));
  CHECK(outcome.journal_mode == JournalMode::kWal);
  auto connection = db::open_read_only(temp.path, 1000);
  CHECK(connection->query_text("PRAGMA journal_mode") == "wal");
  CHECK(connection->query_int("SELECT count(*) FROM agent_runs") == 4);
}

TEST_CASE("restore into a missing database creates it without a safety copy") {
  TempDb temp;
  insert_runs(temp.path, "x", 2);
  const std::string backup = make_backup_of(temp);
  const std::string target = (temp.dir / "new" / "telemetry.sqlite").string();
  RestoreOutcome outcome = restore_database(restore_options(target, kNow), inspect_restore_file(backup, 5000, {}));
  CHECK_FALSE(outcome.safety_copy);
  CHECK(count_runs(target) == 2);
}

TEST_CASE("a restore file that is missing is 66, not SQLite or corrupt is 65, unknown shape is 65") {
  TempDb temp;
  CHECK(error_kind_of([&] { inspect_restore_file((temp.dir / "nope.sqlite").string(), 1000, {}); }) == ErrorKind::kNotFound);
  const std::string garbage = (temp.dir / "garbage.sqlite").string();
  std::ofstream(garbage) << std::string(8192, 'g');
  CHECK(error_kind_of([&] { inspect_restore_file(garbage, 1000, {}); }) == ErrorKind::kInvalidInput);
  const std::string odd = (temp.dir / "odd.sqlite").string();
  {
    db::Connection connection(odd, db::Connection::Mode::kReadWriteCreate, 1000);
    connection.exec("CREATE TABLE commits (x)");
  }
  CHECK(error_kind_of([&] { inspect_restore_file(odd, 1000, {}); }) == ErrorKind::kInvalidInput);
}
