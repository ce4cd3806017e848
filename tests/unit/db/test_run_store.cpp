// RunStore::insert_all: many runs, 64 per statement, in order; duplicates skipped.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "db/run_store.h"
#include "db/sqlite.h"
#include "test_runs.h"

using namespace telemetry;

TEST_CASE("insert_all stores every new run once, in order, and skips stored events") {
  TempDb temp;
  db::ServableDatabase database = open_db(temp);
  db::RunStore store(*database.connection);
  REQUIRE(store.insert(make_run("e-70")) == db::InsertOutcome::kInserted);

  // Two full statements of 64 rows and a tail of 2 single-row inserts.
  std::vector<RunRecord> runs;
  for (int i = 0; i < 130; ++i) runs.push_back(make_run("e-" + std::to_string(i)));
  std::vector<const RunRecord*> pointers;
  for (const RunRecord& run : runs) pointers.push_back(&run);
  CHECK(store.insert_all(pointers) == 129);

  db::Statement rows(*database.connection, "SELECT event_id FROM agent_runs ORDER BY id");
  std::vector<std::string> stored;
  while (rows.step()) stored.push_back(rows.column_text(0));
  REQUIRE(stored.size() == 130);
  CHECK(stored[0] == "e-70");
  std::size_t next = 1;
  for (int i = 0; i < 130; ++i) {
    if (i == 70) continue;
    CHECK(stored[next++] == "e-" + std::to_string(i));
  }
  CHECK(store.insert_all({}) == 0);
}
