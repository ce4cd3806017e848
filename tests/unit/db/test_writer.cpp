#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "core/run_record.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/writer.h"
#include "test_runs.h"

using namespace telemetry;


TEST_CASE("open_servable creates the v7 schema on a new file and reads back the PRAGMAs") {
  TempDb temp;
  db::ServableDatabase database = open_db(temp);
  CHECK(database.created);
  CHECK(database.journal_mode == JournalMode::kDelete);
  CHECK(database.synchronous == Synchronous::kFull);
  CHECK(database.schema_version == 7);
  CHECK(database.connection->query_int("SELECT count(*) FROM sqlite_master WHERE type='index' AND name LIKE 'idx_%'") == 18);
}

TEST_CASE("the writer inserts once per event_id and reports duplicates") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 64);
  writer.start();
  RunRecord run = make_run("e-1");
  db::InsertOutcome first{}, second{};
  REQUIRE(writer.submit([&](db::RunStore& store) { first = store.insert(run); }).ok());
  REQUIRE(writer.submit([&](db::RunStore& store) { second = store.insert(run); }).ok());
  CHECK(first == db::InsertOutcome::kInserted);
  CHECK(second == db::InsertOutcome::kDuplicate);
  writer.stop();
  auto reader = db::open_read_only(temp.path, 1000);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs") == 1);
  CHECK(reader->query_int("SELECT schema_version FROM agent_runs") == 7);
}

TEST_CASE("a failing operation does not undo the others in its group") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 256);
  writer.start();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, errors{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      db::WriteResult result = writer.submit([&, i](db::RunStore& store) {
        if (i % 2 == 0) {
          store.insert(make_run("good-" + std::to_string(i)));
        } else {
          // Violates the status CHECK: an operation-level failure.
          RunRecord bad = make_run("bad-" + std::to_string(i));
          bad[RunColumn::status] = std::string("nonsense");
          store.insert(bad);
        }
      });
      (result.ok() ? ok : errors).fetch_add(1);
      if (!result.ok()) CHECK(result.status == db::WriteStatus::kError);
    });
  }
  for (auto& thread : threads) thread.join();
  writer.stop();
  CHECK(ok == 4);
  CHECK(errors == 4);
  CHECK_FALSE(writer.failed());
  auto reader = db::open_read_only(temp.path, 1000);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs") == 4);
}

TEST_CASE("stop() commits everything already queued") {
  TempDb temp;
  auto writer = std::make_unique<db::Writer>(open_db(temp).connection, 4096);
  writer->start();
  std::vector<std::thread> threads;
  std::atomic<int> acknowledged{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (writer->submit([&, t, i](db::RunStore& store) {
              store.insert(make_run(std::to_string(t) + "-" + std::to_string(i)));
            }).ok()) {
          acknowledged.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  writer->stop();
  auto reader = db::open_read_only(temp.path, 1000);
  CHECK(acknowledged == 200);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs") == 200);
  CHECK(writer->counters().commits.load() >= 1);
}

TEST_CASE("a full queue answers kQueueFull instead of growing") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 0);  // capacity 0: nothing fits
  writer.start();
  db::WriteResult result = writer.submit([](db::RunStore&) {});
  CHECK(result.status == db::WriteStatus::kQueueFull);
}

TEST_CASE("submit_async calls back on the writer thread, only once the write is committed") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 64);
  writer.start();
  auto reader = db::open_read_only(temp.path, 1000);
  std::promise<void> called;
  db::WriteResult seen{db::WriteStatus::kError, "not called"};
  std::thread::id called_on;
  std::int64_t visible_when_called = -1;
  std::optional<db::WriteResult> refused = writer.submit_async(
      [](db::RunStore& store) { store.insert(make_run("async-1")); },
      [&](db::WriteResult result) {
        seen = result;
        called_on = std::this_thread::get_id();
        // Another connection already sees the row: the COMMIT came first.
        visible_when_called = reader->query_int("SELECT count(*) FROM agent_runs WHERE event_id = 'async-1'");
        called.set_value();
      });
  REQUIRE_FALSE(refused.has_value());
  REQUIRE(called.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK(seen.ok());
  CHECK(called_on != std::this_thread::get_id());
  CHECK(visible_when_called == 1);
  writer.stop();
}

TEST_CASE("submit_async returns a refusal without calling back") {
  TempDb temp;
  std::atomic<int> calls{0};
  auto count_call = [&](db::WriteResult) { ++calls; };
  SECTION("the queue is full") {
    db::Writer writer(open_db(temp).connection, 1);  // not started: the first stays queued
    CHECK_FALSE(writer.submit_async([](db::RunStore&) {}, count_call).has_value());
    std::optional<db::WriteResult> refused = writer.submit_async([](db::RunStore&) {}, count_call);
    REQUIRE(refused.has_value());
    CHECK(refused->status == db::WriteStatus::kQueueFull);
    writer.start();
    writer.stop();  // commits the queued one: exactly one call
    CHECK(calls.load() == 1);
  }
  SECTION("the writer is stopping") {
    db::Writer writer(open_db(temp).connection, 64);
    writer.start();
    writer.stop();
    std::optional<db::WriteResult> refused = writer.submit_async([](db::RunStore&) {}, count_call);
    REQUIRE(refused.has_value());
    CHECK(refused->status == db::WriteStatus::kShuttingDown);
    CHECK(calls.load() == 0);
  }
}

TEST_CASE("an I/O-class failure puts the writer in the failed state for good") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 16);
  writer.start();
  db::WriteResult first = writer.submit([](db::RunStore&) {
    throw db::SqliteError(SQLITE_IOERR, SQLITE_IOERR_WRITE, "disk I/O error");
  });
  CHECK(first.status == db::WriteStatus::kWriterFailed);
  CHECK(writer.failed());
  CHECK(writer.failure_reason() == "disk I/O error");
  db::WriteResult later = writer.submit([](db::RunStore&) {});
  CHECK(later.status == db::WriteStatus::kWriterFailed);
  CHECK(writer.counters().io_errors.load() == 1);
}

TEST_CASE("SQLITE_FULL rolls the group back and the writer carries on") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 16);
  writer.start();
  db::WriteResult full = writer.submit([](db::RunStore& store) {
    store.insert(make_run("lost"));
    throw db::SqliteError(SQLITE_FULL, SQLITE_FULL, "database or disk is full");
  });
  CHECK(full.status == db::WriteStatus::kFull);
  CHECK_FALSE(writer.failed());
  CHECK(writer.submit([](db::RunStore& store) { store.insert(make_run("kept")); }).ok());
  writer.stop();
  auto reader = db::open_read_only(temp.path, 1000);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs WHERE event_id='lost'") == 0);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs WHERE event_id='kept'") == 1);
}

TEST_CASE("SQLITE_CANTOPEN for want of a descriptor is retried, not fail-stop") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 16);
  writer.start();
  int attempts = 0;
  db::WriteResult result = writer.submit([&](db::RunStore& store) {
    store.insert(make_run("retried"));
    if (++attempts < 3) throw db::SqliteError(SQLITE_CANTOPEN, SQLITE_CANTOPEN, "unable to open database file", EMFILE);
  });
  CHECK(result.ok());
  CHECK(attempts == 3);
  CHECK_FALSE(writer.failed());

  // Descriptors that stay short: a retry-later answer, and the writer goes on.
  db::WriteResult still_short = writer.submit([](db::RunStore&) {
    throw db::SqliteError(SQLITE_CANTOPEN, SQLITE_CANTOPEN, "unable to open database file", ENFILE);
  });
  CHECK(still_short.status == db::WriteStatus::kBusy);
  CHECK(still_short.message.find("out of file descriptors") != std::string::npos);
  CHECK_FALSE(writer.failed());
  CHECK(writer.submit([](db::RunStore& store) { store.insert(make_run("after")); }).ok());
  writer.stop();
  auto reader = db::open_read_only(temp.path, 1000);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs WHERE event_id IN ('retried','after')") == 2);
}

TEST_CASE("a real journal open that hits EMFILE is retried once descriptors are back") {
  TempDb temp;
  db::Writer writer(open_db(temp).connection, 16);  // DELETE journal: opened by every write
  writer.start();
  REQUIRE(writer.submit([](db::RunStore& store) { store.insert(make_run("warm")); }).ok());
  // Use up every descriptor the process may open.
  std::vector<int> hogs;
  for (;;) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    hogs.push_back(fd);
  }
  REQUIRE(errno == EMFILE);
  std::thread releaser([&hogs] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (int fd : hogs) ::close(fd);
  });
  db::WriteResult result = writer.submit([](db::RunStore& store) { store.insert(make_run("during")); });
  releaser.join();
  CHECK(result.ok());
  CHECK_FALSE(writer.failed());
  writer.stop();
  auto reader = db::open_read_only(temp.path, 1000);
  CHECK(reader->query_int("SELECT count(*) FROM agent_runs WHERE event_id='during'") == 1);
}
