// The writer's failure contract (src/db/writer.h, docs/architecture.md "The
// single writer") against faults injected below SQLite through the storage
// environment (fault_env.h): a real Writer, a real file, a real COMMIT.
#include <catch2/catch.hpp>

#include <string>

#include "db/database.h"
#include "db/writer.h"
#include "fault_env.h"
#include "test_runs.h"

using namespace telemetry;
using test::FaultInjectingEnv;

namespace {

db::ServableDatabase open_through(const TempDb& temp, const FaultInjectingEnv& env,
                                  const std::string& journal_mode = "DELETE") {
  return db::open_servable(temp.path, db::ConnectionSettings{journal_mode, "FULL", 5000}, true, env);
}

db::WriteResult insert(db::Writer& writer, const std::vector<std::string>& event_ids) {
  return writer.submit([&](db::RunStore& store) {
    for (const std::string& event_id : event_ids) store.insert(make_run(event_id));
  });
}

// The rows stored under these event_ids, read the way a restarted service
// would: a read-write open, which rolls back a hot journal first.
std::int64_t stored(const TempDb& temp, const std::string& event_ids) {
  db::Connection connection(temp.path, db::Connection::Mode::kReadWrite, 1000);
  CHECK(connection.query_text("PRAGMA integrity_check") == "ok");
  return connection.query_int("SELECT count(*) FROM agent_runs WHERE event_id IN (" + event_ids + ")");
}

// How many calls of this kind one group commit of one insert makes.
int calls_per_commit(FaultInjectingEnv::Call call, const std::string& journal_mode) {
  TempDb temp;
  FaultInjectingEnv env;
  db::Writer writer(open_through(temp, env, journal_mode).connection, 16);
  writer.start();
  REQUIRE(insert(writer, {"warm"}).ok());
  const int before = env.calls(call);
  REQUIRE(insert(writer, {"counted"}).ok());
  return env.calls(call) - before;
}

}  // namespace

TEST_CASE("an fsync failing inside COMMIT fails the writer for good; a restart finds none of the group") {
  const int syncs = calls_per_commit(FaultInjectingEnv::kSync, "DELETE");
  REQUIRE(syncs >= 2);  // the journal, then the database (synchronous=FULL)
  for (int nth = 1; nth <= syncs; ++nth) {
    CAPTURE(nth);
    TempDb temp;
    FaultInjectingEnv env;
    {
      db::Writer writer(open_through(temp, env).connection, 16);
      writer.start();
      REQUIRE(insert(writer, {"kept"}).ok());
      env.fail(FaultInjectingEnv::kSync, nth, SQLITE_IOERR_FSYNC);
      const db::WriteResult lost = insert(writer, {"lost-1", "lost-2"});
      CHECK(lost.status == db::WriteStatus::kWriterFailed);
      CHECK(writer.failed());
      CHECK(writer.counters().io_errors.load() == 1);
      // Failed for good, and without touching the file again: no retried fsync.
      env.heal();
      const int writes = env.calls(FaultInjectingEnv::kWrite), syncs_so_far = env.calls(FaultInjectingEnv::kSync);
      CHECK(insert(writer, {"after"}).status == db::WriteStatus::kWriterFailed);
      CHECK(env.calls(FaultInjectingEnv::kWrite) == writes);
      CHECK(env.calls(FaultInjectingEnv::kSync) == syncs_so_far);
    }
    CHECK(stored(temp, "'kept'") == 1);
    CHECK(stored(temp, "'lost-1', 'lost-2', 'after'") == 0);
  }
}

TEST_CASE("a full disk at any write of a group answers kFull, keeps nothing of it, and the writer carries on") {
  for (const std::string journal_mode : {"DELETE", "WAL"}) {
    const int writes = calls_per_commit(FaultInjectingEnv::kWrite, journal_mode);
    REQUIRE(writes >= 1);
    for (int nth = 1; nth <= writes; ++nth) {
      CAPTURE(journal_mode, nth);
      TempDb temp;
      FaultInjectingEnv env;
      {
        db::Writer writer(open_through(temp, env, journal_mode).connection, 16);
        writer.start();
        REQUIRE(insert(writer, {"kept"}).ok());
        env.fail(FaultInjectingEnv::kWrite, nth, SQLITE_FULL);
        CHECK(insert(writer, {"lost-1", "lost-2"}).status == db::WriteStatus::kFull);
        CHECK_FALSE(writer.failed());
        CHECK(writer.counters().full_errors.load() == 1);
        CHECK(insert(writer, {"after"}).ok());
      }
      CHECK(stored(temp, "'kept', 'after'") == 2);
      CHECK(stored(temp, "'lost-1', 'lost-2'") == 0);
    }
  }
}

TEST_CASE("a disk that stays full answers kFull until space is freed, then writes succeed without a restart") {
  TempDb temp;
  FaultInjectingEnv env;
  {
    db::Writer writer(open_through(temp, env).connection, 16);
    writer.start();
    REQUIRE(insert(writer, {"kept"}).ok());
    env.fail(FaultInjectingEnv::kWrite, 1, SQLITE_FULL, /*until_healed=*/true);
    CHECK(insert(writer, {"lost-1"}).status == db::WriteStatus::kFull);
    CHECK(insert(writer, {"lost-2"}).status == db::WriteStatus::kFull);
    CHECK(writer.counters().full_errors.load() == 2);
    env.heal();
    CHECK(insert(writer, {"after"}).ok());
    CHECK_FALSE(writer.failed());
  }
  CHECK(stored(temp, "'kept', 'after'") == 2);
  CHECK(stored(temp, "'lost-1', 'lost-2'") == 0);
}

TEST_CASE("the COMMIT's journal delete failing fails the writer; the hot journal rolls the group back at the next open") {
  TempDb temp;
  FaultInjectingEnv env;
  {
    db::Writer writer(open_through(temp, env).connection, 16);
    writer.start();
    REQUIRE(insert(writer, {"kept"}).ok());
    env.fail(FaultInjectingEnv::kDelete, 1, SQLITE_IOERR_DELETE);
    CHECK(insert(writer, {"lost"}).status == db::WriteStatus::kWriterFailed);
    CHECK(writer.failed());
  }
  CHECK(stored(temp, "'lost'") == 0);
  CHECK(stored(temp, "'kept'") == 1);
}
