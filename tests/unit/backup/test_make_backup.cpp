#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "backup_fixtures.h"
#include "db/backup/backup_owner.h"
#include "db/backup/catalog.h"
#include "db/backup/integrity.h"
#include "db/backup/make_backup.h"
#include "db/writer.h"
#include "temp_db.h"
#include "util/error.h"

using namespace telemetry;
using namespace telemetry::db::backup;
using namespace backup_test;
namespace fs = std::filesystem;

namespace {

BackupOptions options_for(const TempDb& temp, TimePoint started = std::chrono::system_clock::now()) {
  BackupOptions options;
  options.db_path = temp.path;
  options.backup_dir = (temp.dir / "backups").string();
  options.busy_timeout_ms = 5000;
  options.started = started;
  options.control.pages_per_step = 4;  // many steps even for a small file
  return options;
}

std::optional<ErrorKind> error_kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a backup is a verified copy with a .verified record naming its row counts") {
  TempDb temp;
  insert_runs(temp.path, "a", 250);
  BackupOptions options = options_for(temp);
  BackupOutcome outcome = make_backup(options);

  CHECK(outcome.name == backup_file_name("telemetry", options.started));
  CHECK(fs::exists(outcome.path));
  CHECK(outcome.source.shape == db::Shape::kV7);
  CHECK(outcome.source.row_counts.at("agent_runs") == 250);
  CHECK(count_runs(outcome.path) == 250);

  auto record = read_verified_record(outcome.path);
  REQUIRE(record);
  CHECK(record->tables.at("agent_runs") == 250);
  CHECK(record->tables.at("schema_migrations") == 1);
  CHECK(record->bytes == fs::file_size(outcome.path));
  CHECK(record->verified_at.size() == 32);  // canonical UTC
  CHECK(record->source == fs::weakly_canonical(temp.path).string());

  // Only the backup and its record: no temporary or journal files.
  auto names = files_in(options.backup_dir);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{outcome.name, outcome.name + ".verified"});
  // A backup stands alone: rollback-journal mode, no -wal needed.
  auto copy = db::open_read_only(outcome.path, 1000);
  CHECK(copy->query_text("PRAGMA journal_mode") == "delete");
}

TEST_CASE("a WAL database is backed up as a self-contained DELETE-mode file") {
  TempDb temp;
  { auto db = open_db(temp.path, JournalMode::kWal); }
  insert_runs(temp.path, "w", 40);
  BackupOutcome outcome = make_backup(options_for(temp));
  auto copy = db::open_read_only(outcome.path, 1000);
  CHECK(copy->query_text("PRAGMA journal_mode") == "delete");
  CHECK(copy->query_int("SELECT count(*) FROM agent_runs") == 40);
}

TEST_CASE("a missing database is not found, a file that is not SQLite invalid input, and neither leaves a file") {
  TempDb temp;
  BackupOptions options = options_for(temp);
  CHECK(error_kind_of([&] { make_backup(options); }) == ErrorKind::kNotFound);
  std::ofstream(temp.path) << std::string(4096, 'x');
  CHECK(error_kind_of([&] { make_backup(options); }) == ErrorKind::kInvalidInput);
  CHECK(files_in(options.backup_dir).empty());
}

TEST_CASE("an interrupted backup leaves no file behind and ends with the signal's kind") {
  TempDb temp;
  insert_runs(temp.path, "i", 300);
  BackupOptions options = options_for(temp);
  int steps = 0;
  options.control.progress = [&steps](std::int64_t, std::int64_t) { ++steps; };
  options.control.interrupted = [&steps] { return steps >= 2 ? SIGTERM : 0; };
  CHECK(error_kind_of([&] { make_backup(options); }) == ErrorKind::kTerminated);
  CHECK(files_in(options.backup_dir).empty());
}

TEST_CASE("a backup directory that cannot be created is reported as such") {
  TempDb temp;
  insert_runs(temp.path, "d", 1);
  BackupOptions options = options_for(temp);
  std::ofstream(temp.dir / "plainfile") << "x";
  options.backup_dir = (temp.dir / "plainfile" / "backups").string();
  CHECK(error_kind_of([&] { make_backup(options); }) == ErrorKind::kCannotCreate);
}

TEST_CASE("retention after a backup deletes old verified backups and their records, never unverified ones") {
  TempDb temp;
  insert_runs(temp.path, "r", 10);
  const TimePoint now = std::chrono::system_clock::from_time_t(1768382102);  // 2026-01-14T09:15:02Z
  BackupOptions options = options_for(temp, now - std::chrono::hours(24 * 20));
  options.limits = {0, 0};  // no retention while setting the scene
  BackupOutcome old = make_backup(options);  // 20 days old, verified
  options.started = now - std::chrono::hours(24 * 10);
  BackupOutcome middle = make_backup(options);  // 10 days old, verified
  // An unverified backup, 30 days old: retention must leave it alone.
  const std::string unverified = backup_file_name("telemetry", now - std::chrono::hours(24 * 30));
  fs::copy_file(old.path, fs::path(options.backup_dir) / unverified);

  options.started = now;
  options.limits = {7, 1};
  BackupOutcome latest = make_backup(options);
  REQUIRE(latest.removed.size() == 2);
  CHECK(latest.removed[0].name == old.name);
  CHECK(latest.removed[1].name == middle.name);
  auto names = files_in(options.backup_dir);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{unverified, latest.name, latest.name + ".verified"});

  auto listed = list_backups(options.backup_dir);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == unverified);
  CHECK_FALSE(listed[0].record);
  CHECK(listed[1].record);
}

TEST_CASE("a .verified record no longer matches once the backup file changed") {
  TempDb temp;
  insert_runs(temp.path, "c", 5);
  BackupOutcome outcome = make_backup(options_for(temp));
  REQUIRE(read_verified_record(outcome.path));
  std::ofstream(outcome.path, std::ios::app) << "tail";
  CHECK_FALSE(read_verified_record(outcome.path));
}

// The acceptance test of issue 5: a backup taken while a writer commits
// continuously passes integrity_check and holds every row acknowledged before
// it began. Run for both kinds of journal, which the copy handles differently.
TEST_CASE("a backup during concurrent writes holds every row acknowledged before it began") {
  for (const JournalMode mode : {JournalMode::kDelete, JournalMode::kWal}) {
    SECTION(journal_mode_name(mode)) {
      TempDb temp;
      insert_runs(temp.path, "seed", 2000);
      db::ServableDatabase database = open_db(temp.path, mode);
      db::Writer writer(std::move(database.connection), 64);
      writer.start();

      std::mutex mutex;
      std::set<std::string> acknowledged;
      std::atomic<bool> stop{false};
      std::vector<std::thread> clients;
      for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
          for (int i = 0; !stop; ++i) {
            const std::string id = "live-" + std::to_string(c) + "-" + std::to_string(i);
            RunRecord run = make_run(id);
            if (writer.submit([&](db::RunStore& store) { store.insert(run); }).ok()) {
              std::lock_guard<std::mutex> lock(mutex);
              acknowledged.insert(id);
            }
          }
        });
      }
      // Let the load build up, then freeze the set of acknowledged rows.
      while (true) {
        std::lock_guard<std::mutex> lock(mutex);
        if (acknowledged.size() >= 200) break;
      }
      std::set<std::string> before;
      {
        std::lock_guard<std::mutex> lock(mutex);
        before = acknowledged;
      }
      // The clients stop and are joined however the backup ends: a backup that
      // throws is then reported as this test's failure, not a std::terminate.
      auto stop_clients = [&] {
        stop = true;
        for (auto& client : clients) {
          if (client.joinable()) client.join();
        }
        writer.stop();
      };
      BackupOutcome outcome;
      try {
        outcome = make_backup(options_for(temp));
      } catch (const std::exception&) {
        stop_clients();
        throw;
      }
      stop_clients();

      auto copy = db::open_read_only(outcome.path, 1000);
      CHECK(check_integrity(*copy, false).ok);
      std::set<std::string> in_copy;
      db::Statement statement(*copy, "SELECT event_id FROM agent_runs WHERE event_id LIKE 'live-%'");
      while (statement.step()) in_copy.insert(statement.column_text(0));
      std::size_t missing = 0;
      for (const std::string& id : before) missing += in_copy.count(id) == 0;
      CHECK(missing == 0);
      CHECK(in_copy.size() >= before.size());
      CHECK(outcome.source.row_counts.at("agent_runs") == copy->query_int("SELECT count(*) FROM agent_runs"));
    }
  }
}

TEST_CASE("retention deletes only backups whose record names this database; others' and unattributed ones stay") {
  TempDb temp;
  const std::string t2 = (temp.dir / "t2.sqlite").string(), u = (temp.dir / "u.sqlite").string();
  insert_runs(t2, "t", 3);
  insert_runs(u, "u", 2);
  const TimePoint now = std::chrono::system_clock::from_time_t(1768382102);
  BackupOptions t2_options = options_for(temp, now - std::chrono::hours(24 * 20));
  t2_options.db_path = t2;
  t2_options.limits = {0, 0};
  BackupOutcome t2_old = make_backup(t2_options);
  CHECK(t2_old.name.rfind("t2_", 0) == 0);
  // A backup made before records named their source: its record has none.
  const std::string legacy = backup_file_name("u", now - std::chrono::hours(24 * 30));
  fs::copy_file(t2_old.path, fs::path(t2_options.backup_dir) / legacy);
  VerifiedRecord old_record = *read_verified_record(t2_old.path);
  old_record.source.clear();
  write_verified_record((fs::path(t2_options.backup_dir) / legacy).string(), old_record);

  BackupOptions u_options = options_for(temp, now - std::chrono::hours(24 * 10));
  u_options.db_path = u;
  u_options.limits = {0, 0};
  BackupOutcome u_old = make_backup(u_options);
  u_options.started = now;
  u_options.limits = {1, 1};
  BackupOutcome u_new = make_backup(u_options);
  REQUIRE(u_new.removed.size() == 1);
  CHECK(u_new.removed[0].name == u_old.name);
  CHECK(fs::exists(t2_old.path));
  CHECK(fs::exists(fs::path(u_options.backup_dir) / legacy));

  DatabaseBackups of_u = backups_of_database(u_options.backup_dir, u);
  REQUIRE(of_u.backups.size() == 2);
  CHECK(of_u.backups[0].name == legacy);
  CHECK(belonging_of(legacy, of_u.backups[0].record, u) == Belonging::kByName);
  CHECK(of_u.backups[1].name == u_new.name);
  CHECK(of_u.others == 1);
  DatabaseBackups of_t2 = backups_of_database(u_options.backup_dir, t2);
  REQUIRE(of_t2.backups.size() == 1);
  CHECK(of_t2.backups[0].name == t2_old.name);
  CHECK(describe_origin(t2_old.name, read_verified_record(t2_old.path)) == fs::weakly_canonical(t2).string());
  CHECK(belonging_of("u.sqlite.pre-restore-20260114_091502.sqlite", std::nullopt, u) == Belonging::kUnknown);
}
