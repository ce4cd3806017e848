// The writer's failure contract (src/db/writer.h, docs/architecture.md "The
// single writer") against faults injected below SQLite through the storage
// environment (fault_env.h): a real Writer, a real file, a real COMMIT.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/writer.h"
#include "fault_env.h"
#include "test_runs.h"

using namespace telemetry;
using test::FaultInjectingEnv;

namespace {

db::WriteResult insert(db::Writer& writer, const std::vector<std::string>& event_ids) {
  return writer.submit([&](db::RunStore& store) {
    for (const std::string& event_id : event_ids) store.insert(make_run(event_id));
  });
}

// A started writer on a fresh database opened through a FaultInjectingEnv,
// with one run, "kept", already acknowledged.
struct WriterOnFaultyDisk {
  TempDb temp;
  FaultInjectingEnv env;
  std::unique_ptr<db::Writer> writer;

  explicit WriterOnFaultyDisk(JournalMode journal_mode = JournalMode::kDelete) {
    const db::ConnectionSettings settings{journal_mode, Synchronous::kFull, 5000};
    writer = std::make_unique<db::Writer>(db::open_servable(temp.path, settings, true, env).connection, 16);
    writer->start();
    REQUIRE(insert(*writer, {"kept"}).ok());
  }

  // The rows stored under these event_ids as a restarted service finds them:
  // the writer stopped and closed, then a read-write open, which rolls back a
  // hot journal first.
  std::int64_t stored_after_restart(const std::string& event_ids) {
    writer.reset();
    db::Connection connection(temp.path, db::Connection::Mode::kReadWrite, 1000);
    CHECK(connection.query_text("PRAGMA integrity_check") == "ok");
    return connection.query_int("SELECT count(*) FROM agent_runs WHERE event_id IN (" + event_ids + ")");
  }
};

// How many calls of this kind one group commit of one insert makes.
int calls_per_commit(FaultInjectingEnv::Call call, JournalMode journal_mode) {
  WriterOnFaultyDisk disk(journal_mode);
  const int before = disk.env.calls(call);
  REQUIRE(insert(*disk.writer, {"counted"}).ok());
  return disk.env.calls(call) - before;
}

}  // namespace

TEST_CASE("an fsync failing inside COMMIT fails the writer for good; a restart finds none of the group") {
  const int syncs = calls_per_commit(FaultInjectingEnv::kSync, JournalMode::kDelete);
  REQUIRE(syncs >= 2);  // the journal, then the database (synchronous=FULL)
  for (int nth = 1; nth <= syncs; ++nth) {
    CAPTURE(nth);
    WriterOnFaultyDisk disk;
    db::Writer& writer = *disk.writer;
    disk.env.fail(FaultInjectingEnv::kSync, nth, SQLITE_IOERR_FSYNC);
    CHECK(insert(writer, {"lost-1", "lost-2"}).status == db::WriteStatus::kWriterFailed);
    CHECK(writer.failed());
    CHECK(writer.counters().io_errors.load() == 1);
    // Failed for good, and without touching the file again: no retried fsync.
    disk.env.heal();
    const int writes = disk.env.calls(FaultInjectingEnv::kWrite);
    const int syncs_so_far = disk.env.calls(FaultInjectingEnv::kSync);
    CHECK(insert(writer, {"after"}).status == db::WriteStatus::kWriterFailed);
    CHECK(disk.env.calls(FaultInjectingEnv::kWrite) == writes);
    CHECK(disk.env.calls(FaultInjectingEnv::kSync) == syncs_so_far);
    CHECK(disk.stored_after_restart("'lost-1', 'lost-2', 'after'") == 0);
    CHECK(disk.stored_after_restart("'kept'") == 1);
  }
}

TEST_CASE("a full disk at any write of a group answers kFull, keeps nothing of it, and the writer carries on") {
  for (const JournalMode journal_mode : {JournalMode::kDelete, JournalMode::kWal}) {
    const int writes = calls_per_commit(FaultInjectingEnv::kWrite, journal_mode);
    REQUIRE(writes >= 1);
    for (int nth = 1; nth <= writes; ++nth) {
      CAPTURE(journal_mode_name(journal_mode), nth);
      WriterOnFaultyDisk disk(journal_mode);
      db::Writer& writer = *disk.writer;
      disk.env.fail(FaultInjectingEnv::kWrite, nth, SQLITE_FULL);
      CHECK(insert(writer, {"lost-1", "lost-2"}).status == db::WriteStatus::kFull);
      CHECK_FALSE(writer.failed());
      CHECK(writer.counters().full_errors.load() == 1);
      CHECK(insert(writer, {"after"}).ok());
      CHECK(disk.stored_after_restart("'kept', 'after'") == 2);
      CHECK(disk.stored_after_restart("'lost-1', 'lost-2'") == 0);
    }
  }
}

TEST_CASE("a disk that stays full answers kFull until space is freed, then writes succeed without a restart") {
  WriterOnFaultyDisk disk;
  db::Writer& writer = *disk.writer;
  disk.env.fail(FaultInjectingEnv::kWrite, 1, SQLITE_FULL, /*until_healed=*/true);
  CHECK(insert(writer, {"lost-1"}).status == db::WriteStatus::kFull);
  CHECK(insert(writer, {"lost-2"}).status == db::WriteStatus::kFull);
  CHECK(writer.counters().full_errors.load() == 2);
  disk.env.heal();
  CHECK(insert(writer, {"after"}).ok());
  CHECK_FALSE(writer.failed());
  CHECK(disk.stored_after_restart("'kept', 'after'") == 2);
  CHECK(disk.stored_after_restart("'lost-1', 'lost-2'") == 0);
}

TEST_CASE("the COMMIT's journal delete failing fails the writer; the hot journal rolls the group back at the next open") {
  WriterOnFaultyDisk disk;
  disk.env.fail(FaultInjectingEnv::kDelete, 1, SQLITE_IOERR_DELETE);
  CHECK(insert(*disk.writer, {"lost"}).status == db::WriteStatus::kWriterFailed);
  CHECK(disk.writer->failed());
  CHECK(disk.stored_after_restart("'lost'") == 0);
  CHECK(disk.stored_after_restart("'kept'") == 1);
}
