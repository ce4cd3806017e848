// Output lines and JSON summary (docs/reference/buffer-files.md §15).
#include <catch2/catch.hpp>

#include "buffer/ingest_summary.h"

using namespace telemetry::buffer;

namespace {
InputReport synced_with_rejects() {
  InputReport report;
  report.path = "telemetry_20260114_091502.jsonl.ready";
  report.counts = LineCounts{4, 1, 1, 0, 1, 1, 0};
  report.state = InputState::kSynced;
  report.renamed_to = "telemetry_20260114_091502.jsonl.synced";
  report.rejected_file = "telemetry_20260114_091502.jsonl.ready.rejected";
  report.failure = telemetry::ErrorKind::kInvalidInput;
  return report;
}
InputReport kept_ndjson() {
  InputReport report;
  report.path = "events_20260114.ndjson";
  report.counts = LineCounts{3, 0, 0, 2, 0, 0, 1};
  report.state = InputState::kKept;
  return report;
}
}  // namespace

TEST_CASE("text lines match the spec's example") {
  CHECK(input_summary_line(synced_with_rejects()) ==
        "telemetry_20260114_091502.jsonl.ready: 4 lines, 1 inserted, 1 updated, 0 duplicates, 1 rejected, 1 blank, "
        "0 skipped -> telemetry_20260114_091502.jsonl.synced; rejected lines in "
        "telemetry_20260114_091502.jsonl.ready.rejected");
  CHECK(input_summary_line(kept_ndjson()) ==
        "events_20260114.ndjson: 3 lines, 0 inserted, 0 updated, 2 duplicates, 0 rejected, 0 blank, 1 skipped (kept)");
  CHECK(total_summary_line({synced_with_rejects(), kept_ndjson()}, false) ==
        "total: 2 inputs (2 completed, 0 left), 7 lines, 1 inserted, 1 updated, 2 duplicates, 1 rejected, 1 blank, "
        "1 skipped");
  CHECK(total_summary_line({}, false) == "total: 0 inputs");
}

TEST_CASE("left and dry-run inputs say so") {
  InputReport left;
  left.path = "x.jsonl.ready";
  left.state = InputState::kLeft;
  left.error = "cannot read x.jsonl.ready: Permission denied";
  CHECK(input_summary_line(left) ==
        "x.jsonl.ready: 0 lines, 0 inserted, 0 updated, 0 duplicates, 0 rejected, 0 blank, 0 skipped "
        "(left: cannot read x.jsonl.ready: Permission denied)");
  InputReport dry = kept_ndjson();
  dry.state = InputState::kDryRun;
  CHECK(input_summary_line(dry).find("(dry run)") != std::string::npos);
  CHECK(total_summary_line({dry, left}, true).rfind("total: 2 inputs (dry run, 1 left), 3 lines", 0) == 0);
}

TEST_CASE("the JSON summary has the keys of 15.1 in order") {
  RunDescription run{false, "/var/lib/telemetry/telemetry.sqlite", "", false};
  auto json = summary_json(run, {synced_with_rejects()});
  CHECK(json.dump() ==
        R"({"mode":"direct","database":"/var/lib/telemetry/telemetry.sqlite","url":null,"dry_run":false,)"
        R"("inputs":[{"path":"telemetry_20260114_091502.jsonl.ready","lines":4,"inserted":1,"updated":1,)"
        R"("duplicates":0,"rejected":1,"blank":1,"skipped":0,"state":"synced",)"
        R"("renamed_to":"telemetry_20260114_091502.jsonl.synced",)"
        R"("rejected_file":"telemetry_20260114_091502.jsonl.ready.rejected","error":null}],)"
        R"("totals":{"inputs":1,"completed":1,"left":0,"lines":4,"inserted":1,"updated":1,"duplicates":0,)"
        R"("rejected":1,"blank":1,"skipped":0}})");
  auto server = summary_json(RunDescription{true, "", "http://127.0.0.1:8765", true}, {});
  CHECK(server["mode"] == "server");
  CHECK(server["database"].is_null());
  CHECK(server["url"] == "http://127.0.0.1:8765");
  CHECK(server["dry_run"] == true);
}
