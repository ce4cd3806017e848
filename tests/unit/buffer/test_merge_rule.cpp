// is_newer / merge_update / StateTracker: docs/reference/buffer-files.md §11.
#include <catch2/catch.hpp>

#include "buffer/line_classifier.h"
#include "buffer/merge_rule.h"
#include "buffer/state_tracker.h"
#include "spec_lines.h"

using namespace telemetry;
using namespace telemetry::buffer;

namespace {

RunRecord record(const std::string& text) {
  ClassifyOptions options;
  options.now = test::kNow;
  ClassifiedLine line = classify_line(text, true, options);
  REQUIRE(line.kind == LineKind::kRun);
  return line.run;
}

std::vector<std::string> columns(const RunUpdate& update) {
  std::vector<std::string> names;
  for (const auto& field : update) names.push_back(column_name(field.first));
  return names;
}

const StoredState kRunning{"running", std::nullopt};
const StoredState kDone{"success", std::string("2026-01-14T09:17:44.990501+00:00")};

}  // namespace

TEST_CASE("newer: a terminal status over an open row, or an end_time over a row without one") {
  CHECK(is_newer(record(test::kEnd47), kRunning));
  CHECK_FALSE(is_newer(record(test::kStart47), kRunning));
  CHECK_FALSE(is_newer(record(test::kEnd47), kDone));
  CHECK_FALSE(is_newer(record(test::kStart47), kDone));
  // A terminal row without end_time ('' counts as none) takes an end_time, but keeps its status.
  const StoredState ended_without_time{"failure", std::string("")};
  CHECK(is_newer(record(test::kEnd47), ended_without_time));
  CHECK_FALSE(is_newer(record(test::kStart47), StoredState{"failure", std::nullopt}));
}

TEST_CASE("merge: provided PATCH fields in PATCH order, with the status and end_time guards") {
  RunUpdate update = merge_update(record(test::kEnd47), kRunning);
  CHECK(columns(update) == std::vector<std::string>{"status", "end_time", "duration_ms", "error_summary",
                                                    "output_summary", "items_succeeded", "items_failed",
                                                    "items_skipped", "metrics_json", "context_json",
                                                    "items_discovered", "input_summary"});
  RunUpdate guarded = merge_update(record(test::kEnd47), StoredState{"failure", std::nullopt});
  CHECK(columns(guarded).front() == "end_time");  // status kept: not open
  RunUpdate no_end = merge_update(record(test::kEnd47), StoredState{"running", std::string("2026-01-14T09:00:00+00:00")});
  CHECK(columns(no_end).at(1) == "duration_ms");  // end_time kept: already ended
}

TEST_CASE("40-key end line merges failure, and never fields outside the PATCH list") {
  RunUpdate update = merge_update(record(test::kEnd40), kRunning);
  CHECK(std::get<std::string>(update.front().second) == "failure");
  for (const auto& name : columns(update)) {
    CHECK(name != "run_id");
    CHECK(name != "host");
    CHECK(name != "created_at");
  }
}

TEST_CASE("state_after and merge_into follow the update") {
  RunUpdate update = merge_update(record(test::kEnd47), kRunning);
  StoredState after = state_after(kRunning, update);
  CHECK(after.status == "success");
  CHECK(after.end_time == std::optional<std::string>("2026-01-14T09:17:44.990501+00:00"));
  RunRecord start = record(test::kStart47);
  merge_into(start, update);
  CHECK(start.text(RunColumn::status) == "success");
  CHECK(start.was_provided(RunColumn::end_time));
  CHECK(start.text(RunColumn::metrics_json) == R"({"pages_per_minute":14.7,"retries":2})");
}

TEST_CASE("combine_updates: later values win, PATCH order kept") {
  RunUpdate first{{RunColumn::items_failed, std::int64_t{1}}, {RunColumn::status, std::string("partial")}};
  RunUpdate later{{RunColumn::items_failed, std::int64_t{2}}, {RunColumn::end_time, std::string("x")}};
  combine_updates(first, later);
  CHECK(columns(first) == std::vector<std::string>{"status", "end_time", "items_failed"});
  CHECK(std::get<std::int64_t>(first.back().second) == 2);
}

TEST_CASE("StateTracker: start then end inserts then updates; replay is duplicates; lookups once per event") {
  int lookups = 0;
  StateTracker fresh([&](const std::string&) {
    ++lookups;
    return std::optional<StoredState>();
  });
  CHECK(fresh.decide(record(test::kStart47)).outcome == Outcome::kInserted);
  StateTracker::Decision end = fresh.decide(record(test::kEnd47));
  CHECK(end.outcome == Outcome::kUpdated);
  CHECK_FALSE(end.stored_before);
  CHECK(fresh.decide(record(test::kStart47)).outcome == Outcome::kDuplicate);
  CHECK(fresh.decide(record(test::kEnd47)).outcome == Outcome::kDuplicate);
  CHECK(lookups == 1);

  StateTracker stored([](const std::string&) { return std::optional<StoredState>(StoredState{"running", std::nullopt}); });
  StateTracker::Decision update = stored.decide(record(test::kEnd40));
  CHECK(update.outcome == Outcome::kUpdated);
  CHECK(update.stored_before);
  stored.forget();
  CHECK(stored.tracked() == 0);
}
