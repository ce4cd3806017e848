// db/prune.h: prune's batches against a real database — what goes, what stays,
// the progress per batch, VACUUM, the dry-run count and the lock.
#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include "db/prune.h"
#include "db/run_queries.h"
#include "db/run_store.h"
#include "test_runs.h"
#include "util/error.h"
#include "util/lock_file.h"

using namespace telemetry;

namespace {

constexpr const char* kCutoff = "2026-01-01T00:00:00.000000+00:00";

// `old_runs` created in 2025, `new_runs` after the cutoff.
void fill(const TempDb& temp, int old_runs, int new_runs) {
  db::ServableDatabase database = open_db(temp);
  db::RunStore store(*database.connection);
  for (int i = 0; i < old_runs + new_runs; ++i) {
    REQUIRE(store.insert(make_run("e-" + std::to_string(i))) == db::InsertOutcome::kInserted);
  }
  database.connection->exec(
      "UPDATE agent_runs SET created_at = CASE WHEN rowid <= " + std::to_string(old_runs) +
      " THEN '2025-06-01T00:00:00.000000+00:00' ELSE '2026-02-01T00:00:00.000000+00:00' END");
}

db::PruneOptions options_for(const TempDb& temp, std::int64_t batch_size) {
  db::PruneOptions options;
  options.db_path = temp.path;
  options.lock_file = temp.path + ".lock";
  options.settings = db::ConnectionSettings{JournalMode::kDelete, Synchronous::kFull, 5000};
  options.cutoff = kCutoff;
  options.batch_size = batch_size;
  return options;
}

std::int64_t runs_in(const TempDb& temp) {
  db::ServableDatabase database = open_db(temp);
  return db::count_runs(*database.connection);
}

}  // namespace

TEST_CASE("prune deletes the runs created before the cutoff in batches, reporting each") {
  TempDb temp;
  fill(temp, 25, 4);
  db::PruneOptions options = options_for(temp, 10);
  std::vector<std::int64_t> progress;
  options.progress = [&](std::int64_t deleted) { progress.push_back(deleted); };

  const db::PruneResult result = db::prune_runs(options);

  CHECK(result.deleted == 25);
  CHECK(result.batches == 3);  // 10, 10, then 5 < 10 ends it
  CHECK(progress == std::vector<std::int64_t>{10, 20, 25});
  CHECK_FALSE(result.vacuumed);
  CHECK(result.stopped_by == 0);
  CHECK(runs_in(temp) == 4);
  CHECK_FALSE(std::filesystem::exists(options.lock_file));
}

TEST_CASE("an exact multiple of the batch size takes one more, empty batch") {
  TempDb temp;
  fill(temp, 20, 0);
  const db::PruneResult result = db::prune_runs(options_for(temp, 10));
  CHECK(result.deleted == 20);
  CHECK(result.batches == 3);
  CHECK(runs_in(temp) == 0);
}

TEST_CASE("--vacuum gives the freed pages back") {
  TempDb temp;
  fill(temp, 600, 1);
  db::PruneOptions options = options_for(temp, 1000);
  options.vacuum = true;
  const auto size_before = std::filesystem::file_size(temp.path);
  const db::PruneResult result = db::prune_runs(options);
  CHECK(result.vacuumed);
  CHECK(result.freed_bytes > 0);
  CHECK(std::filesystem::file_size(temp.path) == size_before - result.freed_bytes);
}

TEST_CASE("the dry-run count gives the runs before the cutoff and the total, and changes nothing") {
  TempDb temp;
  fill(temp, 7, 3);
  const db::PruneCount count = db::count_prunable(temp.path, 5000, kCutoff);
  CHECK(count.matching == 7);
  CHECK(count.total == 10);
  CHECK(runs_in(temp) == 10);
}

TEST_CASE("a held lock refuses prune as unavailable, with the advice to let serve prune") {
  TempDb temp;
  fill(temp, 2, 0);
  const db::PruneOptions options = options_for(temp, 10);
  auto held = WriterLock::acquire(options.lock_file, temp.path, "serve");
  try {
    db::prune_runs(options);
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUnavailable);
    CHECK_THAT(error.what(), Catch::Contains("TELEMETRY_RETENTION_DAYS"));
  }
  held.reset();
  CHECK(runs_in(temp) == 2);
}

TEST_CASE("pruning a database that does not exist is not found, and creates nothing") {
  TempDb temp;
  try {
    db::prune_runs(options_for(temp, 10));
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kNotFound);
  }
  CHECK_FALSE(std::filesystem::exists(temp.path));
}
