// The service's retention (src/http/retention.h) against a real Writer: the
// schedule and the clock are injected, so nothing waits an hour and the
// cutoff is known.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "core/run_record.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/writer.h"
#include "fault_env.h"
#include "http/retention.h"
#include "http/service.h"
#include "http/service_metrics.h"
#include "temp_db.h"

using namespace telemetry;
using std::chrono::hours;
using std::chrono::milliseconds;

namespace {

const std::chrono::system_clock::time_point kNow = std::chrono::system_clock::from_time_t(1772323200);  // 2026-03-01

RunRecord run_created(const std::string& event_id, std::chrono::system_clock::time_point created) {
  ordered_json body{{"event_id", event_id}, {"run_id", "r-" + event_id}, {"agent_name", "crawler"},
                    {"job_type", "crawl"}, {"start_time", "2026-01-14T09:15:02+00:00"}};
  RunParseResult parsed = parse_run(body, ordered_json::array({"body"}), canonical_utc(created));
  REQUIRE(parsed.ok());
  return parsed.run;
}

// 8 runs created 40 days before kNow, 2 created 10 days before, 1 a day after.
struct RetentionFixture {
  TempDb temp;
  test::FaultInjectingEnv env;
  db::Writer writer{db::open_servable(temp.path, db::ConnectionSettings{JournalMode::kDelete, Synchronous::kFull, 5000}, true, env).connection,
                    64};
  http::ServiceMetrics metrics;
  http::MetadataCache metadata_cache;

  RetentionFixture() {
    writer.start();
    REQUIRE(writer.submit([](db::RunStore& store) {
                    for (int i = 0; i < 8; ++i) store.insert(run_created("old-" + std::to_string(i), kNow - hours(24 * 40)));
                    for (int i = 0; i < 2; ++i) store.insert(run_created("recent-" + std::to_string(i), kNow - hours(240)));
                    store.insert(run_created("future", kNow + hours(24)));
                  })
                .ok());
    metadata_cache.put(ordered_json{{"agents", {"crawler"}}}, metadata_cache.generation());
  }

  http::RetentionScheduler scheduler(http::RetentionTiming timing) {
    return http::RetentionScheduler(writer, metrics, metadata_cache, 30, timing, [] { return kNow; });
  }

  std::int64_t remaining() {
    db::Connection reader(temp.path, db::Connection::Mode::kReadOnly, 1000);
    return reader.query_int("SELECT count(*) FROM agent_runs");
  }
};

// Polls until `done` or a generous deadline (a loaded machine is slow, never wrong).
template <typename Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

}  // namespace

TEST_CASE("a retention pass deletes the runs created before now - N days, in batches through the writer") {
  RetentionFixture fixture;
  http::RetentionTiming timing;
  timing.batch_size = 3;
  const std::uint64_t commits_before = fixture.writer.counters().commits.load();
  CHECK(fixture.scheduler(timing).run_pass() == 8);
  CHECK(fixture.writer.counters().commits.load() - commits_before == 3);  // 3 + 3 + 2
  CHECK(fixture.remaining() == 3);
  CHECK(fixture.metrics.retention_deleted_runs.load() == 8);
  CHECK(fixture.metrics.retention_passes.load() == 1);
  // The agents list may name runs that are gone.
  CHECK_FALSE(fixture.metadata_cache.get().has_value());

  CHECK(fixture.scheduler(timing).run_pass() == 0);
  CHECK(fixture.metrics.retention_passes.load() == 2);
}

TEST_CASE("a pass the writer refuses ends early, counts no pass, and the next pass deletes") {
  RetentionFixture fixture;
  fixture.env.fail(test::FaultInjectingEnv::kWrite, 1, SQLITE_FULL, /*until_healed=*/true);
  CHECK(fixture.scheduler({}).run_pass() == 0);
  CHECK(fixture.metrics.retention_passes.load() == 0);
  CHECK(fixture.remaining() == 11);
  fixture.env.heal();
  CHECK(fixture.scheduler({}).run_pass() == 8);
  CHECK(fixture.metrics.retention_passes.load() == 1);
}

TEST_CASE("the scheduler runs a pass after the first delay, then one every interval") {
  RetentionFixture fixture;
  http::RetentionScheduler scheduler = fixture.scheduler({milliseconds(1), milliseconds(1), 10000});
  scheduler.start();
  CHECK(eventually([&] { return fixture.metrics.retention_passes.load() >= 3; }));
  scheduler.stop();
  CHECK(fixture.metrics.retention_deleted_runs.load() == 8);
  CHECK(fixture.remaining() == 3);
}

TEST_CASE("stop() does not wait for a pass that is not due") {
  RetentionFixture fixture;
  http::RetentionScheduler scheduler = fixture.scheduler({});  // first pass 60 s away
  const auto started = std::chrono::steady_clock::now();
  scheduler.start();
  scheduler.stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  CHECK(fixture.metrics.retention_passes.load() == 0);
  CHECK(fixture.remaining() == 11);
}
