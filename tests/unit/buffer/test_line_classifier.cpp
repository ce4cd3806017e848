// classify_line: docs/reference/buffer-files.md §9 and §10 on the spec's own lines and broken ones.
#include <catch2/catch.hpp>

#include "buffer/line_classifier.h"
#include "spec_lines.h"

using namespace telemetry;
using namespace telemetry::buffer;
using telemetry::test::kNow;

namespace {

ClassifiedLine classify(const std::string& text, bool terminated = true, std::int64_t max = 16777216) {
  ClassifyOptions options;
  options.now = kNow;
  options.max_line_bytes = max;
  return classify_line(text, terminated, options);
}

std::string reason(const std::string& text, bool terminated = true) {
  ClassifiedLine line = classify(text, terminated);
  REQUIRE(line.kind == LineKind::kRejected);
  return line.reason;
}

std::string with(std::string line, const std::string& from, const std::string& to) {
  auto at = line.find(from);
  REQUIRE(at != std::string::npos);
  return line.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the 47-key start line is a run as POST would store it") {
  ClassifiedLine line = classify(test::kStart47);
  REQUIRE(line.kind == LineKind::kRun);
  CHECK(line.run.text(RunColumn::event_id) == "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37");
  CHECK(line.run.text(RunColumn::status) == "running");
  CHECK(line.run.text(RunColumn::agent_owner) == "platform-team");
  CHECK(std::get<std::int64_t>(line.run[RunColumn::api_posted]) == 0);
  CHECK_FALSE(line.run.was_provided(RunColumn::end_time));
  // §10: the row's updated_at is the line's, canonical.
  CHECK(line.run.text(RunColumn::updated_at) == "2026-01-14T09:15:02.418230+00:00");
  CHECK(line.updated_at == std::optional<std::string>("2026-01-14T09:15:02.418230+00:00"));
}

TEST_CASE("the 47-key end line decodes string-encoded JSON and \\u escapes") {
  ClassifiedLine line = classify(test::kEnd47);
  REQUIRE(line.kind == LineKind::kRun);
  CHECK(line.run.text(RunColumn::metrics_json) == R"({"pages_per_minute":14.7,"retries":2})");
  CHECK(line.run.text(RunColumn::context_json) == "{\"locale\":\"fr-FR\",\"note\":\"relecture termin\xC3\xA9" "e\"}");
  CHECK(line.run.text(RunColumn::status) == "success");
  CHECK(line.run.was_provided(RunColumn::end_time));
}

TEST_CASE("40-key lines: duration_ms null is 0, status failed is failure") {
  ClassifiedLine start = classify(test::kStart40);
  REQUIRE(start.kind == LineKind::kRun);
  CHECK(std::get<std::int64_t>(start.run[RunColumn::duration_ms]) == 0);
  CHECK_FALSE(start.run.was_provided(RunColumn::duration_ms));
  CHECK(telemetry::is_null(start.run[RunColumn::context_json]));
  ClassifiedLine end = classify(test::kEnd40);
  REQUIRE(end.kind == LineKind::kRun);
  CHECK(end.run.text(RunColumn::status) == "failure");
  CHECK(end.run.text(RunColumn::metrics_json) == "{\"pages\":120,\"city\":\"Z\xC3\xBCrich\"}");
}

TEST_CASE("updated_at: a bad one never rejects; the row then gets created_at") {
  ClassifiedLine line = classify(with(test::kStart47, R"("updated_at": "2026-01-14T09:15:02.418230+00:00")",
                                      R"("updated_at": "yesterday")"));
  REQUIRE(line.kind == LineKind::kRun);
  CHECK_FALSE(line.updated_at);
  CHECK(line.run.text(RunColumn::updated_at) == line.run.text(RunColumn::created_at));
  ClassifiedLine offset = classify(with(test::kStart47, R"("updated_at": "2026-01-14T09:15:02.418230+00:00")",
                                        R"("updated_at": "2026-01-14T10:15:02+01:00")"));
  CHECK(offset.run.text(RunColumn::updated_at) == "2026-01-14T09:15:02.000000+00:00");
}

TEST_CASE("blank lines: empty, spaces, tabs and \\r") {
  for (std::string text : {"", " ", "\t \r", "\r"}) CHECK(classify(text).kind == LineKind::kBlank);
  CHECK(classify(std::string(1, '\0')).kind == LineKind::kRejected);
}

TEST_CASE("reasons of section 9") {
  CHECK(reason("\xFF{}") == "invalid UTF-8");
  CHECK(reason("{\"a\": 1").rfind("invalid JSON: ", 0) == 0);
  CHECK(reason("{\"a\": 1", /*terminated=*/false).rfind("incomplete last line: ", 0) == 0);
  CHECK(reason(std::string(5, '\0'), false).rfind("incomplete last line: ", 0) == 0);
  CHECK(reason(std::string(5, '\0')).rfind("invalid JSON: ", 0) == 0);
  CHECK(reason("{\"a\": NaN}").rfind("invalid JSON: ", 0) == 0);
  CHECK(reason("[1, 2]") == "not a JSON object");
  CHECK(reason("12", false) == "not a JSON object");
  ClassifiedLine long_line = classify(test::kStart47, true, 1024);
  CHECK(long_line.reason == "line too long: " + std::to_string(test::kStart47.size()) + " bytes (limit 1024)");
}

TEST_CASE("a \\r before \\n is not part of the JSON") {
  CHECK(classify(test::kStart47 + "\r").kind == LineKind::kRun);
}

TEST_CASE("record_type: event is skipped, others rejected with the value as JSON") {
  CHECK(classify(test::kEventLine).kind == LineKind::kEvent);
  CHECK(reason(with(test::kStart47, R"("record_type": "run")", R"("record_type": "metric")")) ==
        R"(unknown record_type: "metric")");
  CHECK(reason(with(test::kStart47, R"("record_type": "run")", R"("record_type": 3)")) == "unknown record_type: 3");
  CHECK(reason(with(test::kStart47, R"("record_type": "run")", R"("record_type": null)")) ==
        "unknown record_type: null");
  // Absent record_type is a run.
  CHECK(classify(with(test::kStart47, R"(, "record_type": "run")", "")).kind == LineKind::kRun);
}

TEST_CASE("invalid runs: the POST rules' reasons, joined in field order, event_id kept") {
  ClassifiedLine line = classify(R"({"run_id": "r", "status": "weird", "start_time": "2026-01-14T09:15:02+00:00", "agent_name": "a", "job_type": "j"})");
  REQUIRE(line.kind == LineKind::kRejected);
  CHECK(line.reason ==
        "event_id: Field required; status: Value error, Status must be one of: ['running', 'success', 'failure', "
        "'partial', 'timeout', 'cancelled']");
  CHECK_FALSE(line.event_id);
  ClassifiedLine nan = classify(with(test::kEnd47, R"(\"retries\": 2)", R"(\"retries\": NaN)"));
  REQUIRE(nan.kind == LineKind::kRejected);
  CHECK(nan.reason.rfind("metrics_json: ", 0) == 0);
  CHECK(nan.event_id == std::optional<std::string>("3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37"));
}

TEST_CASE("an old audit line without event_id is rejected: event_id: Field required") {
  CHECK(reason(with(test::kStart47, R"("event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", )", "")) ==
        "event_id: Field required");
}
