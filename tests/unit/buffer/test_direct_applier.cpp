// ingest-buffer's direct mode (docs/reference/buffer-files.md §10-§12) against a real
// database: folding into held inserts, updates of stored rows, rollback, dry runs.
#include <catch2/catch.hpp>

#include <string>

#include "buffer/direct_applier.h"
#include "buffer/line_classifier.h"
#include "db/database.h"
#include "temp_db.h"

using namespace telemetry;
using buffer::Outcome;

namespace {

const char* const kNow = "2026-01-14T12:00:00Z";
const char* const kEnded = R"(,"end_time":"2026-01-14T09:20:00Z")";

buffer::ClassifiedLine line(const std::string& event_id, const std::string& status, const std::string& extra) {
  const std::string json = R"({"event_id":")" + event_id + R"(","run_id":"r-)" + event_id +
                           R"(","agent_name":"crawler","job_type":"crawl","start_time":"2026-01-14T09:15:02Z","status":")" +
                           status + "\"" + extra + "}";
  buffer::ClassifiedLine classified = buffer::classify_line(json, true, buffer::ClassifyOptions{16777216, kNow});
  REQUIRE(classified.kind == buffer::LineKind::kRun);
  return classified;
}

Outcome apply(buffer::RecordApplier& applier, const std::string& event_id, const std::string& status,
              const std::string& extra = "") {
  buffer::ClassifiedLine next = line(event_id, status, extra);
  return applier.apply(next);
}

// A fresh v7 database and a direct applier writing to it.
struct Direct {
  TempDb temp;
  db::ServableDatabase database = db::open_servable(temp.path, db::ConnectionSettings{}, /*create=*/true);
  buffer::DirectApplier applier{*database.connection, kNow};

  std::int64_t rows() { return database.connection->query_int("SELECT count(*) FROM agent_runs"); }
  std::string stored(const std::string& event_id, const std::string& column) {
    return database.connection->query_text("SELECT " + column + " FROM agent_runs WHERE event_id = '" + event_id + "'");
  }
};

}  // namespace

TEST_CASE("a run's later state folds into its one insert, stamped with the line's updated_at") {
  Direct direct;
  CHECK(apply(direct.applier, "e-1", "running") == Outcome::kInserted);
  CHECK(apply(direct.applier, "e-1", "success", std::string(kEnded) + R"(,"updated_at":"2026-01-14T09:20:01Z")") ==
        Outcome::kUpdated);
  direct.applier.commit();
  CHECK(direct.rows() == 1);
  CHECK(direct.stored("e-1", "status") == "success");
  CHECK(direct.stored("e-1", "end_time") == "2026-01-14T09:20:00Z");
  CHECK(direct.stored("e-1", "updated_at") == "2026-01-14T09:20:01.000000+00:00");
}

TEST_CASE("a later state of a stored row is an update, stamped with the ingest time when the line has none") {
  Direct direct;
  CHECK(apply(direct.applier, "e-1", "running") == Outcome::kInserted);
  direct.applier.commit();
  CHECK(apply(direct.applier, "e-1", "running") == Outcome::kDuplicate);
  CHECK(apply(direct.applier, "e-1", "failure", kEnded) == Outcome::kUpdated);
  direct.applier.commit();
  CHECK(direct.stored("e-1", "status") == "failure");
  CHECK(direct.stored("e-1", "updated_at") == kNow);
}

TEST_CASE("abandon rolls back and forgets: the same lines decide the same way again") {
  Direct direct;
  CHECK(apply(direct.applier, "e-1", "running") == Outcome::kInserted);
  direct.applier.commit();
  for (int attempt = 0; attempt < 2; ++attempt) {
    CHECK(apply(direct.applier, "e-1", "success", kEnded) == Outcome::kUpdated);
    CHECK(apply(direct.applier, "e-2", "running") == Outcome::kInserted);
    if (attempt == 0) direct.applier.abandon();
  }
  direct.applier.commit();
  CHECK(direct.rows() == 2);
  CHECK(direct.stored("e-1", "status") == "success");
}

TEST_CASE("an abandoned update leaves the stored row as it was") {
  Direct direct;
  apply(direct.applier, "e-1", "running");
  direct.applier.commit();
  apply(direct.applier, "e-1", "success", kEnded);
  direct.applier.abandon();
  CHECK(direct.stored("e-1", "status") == "running");
}

TEST_CASE("more held inserts than fit are written before the commit, in input order") {
  Direct direct;
  for (int i = 0; i < 5000; ++i) REQUIRE(apply(direct.applier, "e-" + std::to_string(i), "running") == Outcome::kInserted);
  CHECK(apply(direct.applier, "e-1", "success", kEnded) == Outcome::kUpdated);  // written already: an UPDATE
  direct.applier.commit();
  CHECK(direct.rows() == 5000);
  CHECK(direct.database.connection->query_int("SELECT id FROM agent_runs WHERE event_id = 'e-4999'") == 5000);
  CHECK(direct.stored("e-1", "status") == "success");
}

TEST_CASE("a direct dry run decides against the database and writes nothing") {
  Direct direct;
  apply(direct.applier, "e-1", "running");
  direct.applier.commit();
  buffer::DryDirectApplier dry(direct.database.connection.get());
  CHECK(apply(dry, "e-1", "success", kEnded) == Outcome::kUpdated);
  CHECK(apply(dry, "e-2", "running") == Outcome::kInserted);
  dry.commit();
  CHECK(direct.rows() == 1);
  CHECK(direct.stored("e-1", "status") == "running");

  buffer::DryDirectApplier nothing_to_read(nullptr);
  CHECK(apply(nothing_to_read, "e-1", "success", kEnded) == Outcome::kInserted);
}
