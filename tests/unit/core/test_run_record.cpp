#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/field_rules.h"
#include "core/json_fast_decode.h"
#include "core/run_record.h"
#include "run_fixtures.h"

using namespace telemetry;
using namespace telemetry::test;
using C = RunColumn;

namespace {

std::string record_text(const RunParseResult& result) {
  if (!result.ok()) return errors_text(result.errors);
  ordered_json values = ordered_json::array();
  for (int i = 0; i < kRunColumnCount; ++i) {
    const SqlValue& value = result.run.values[static_cast<std::size_t>(i)];
    ordered_json cell = nullptr;
    if (const auto* number = std::get_if<std::int64_t>(&value)) cell = *number;
    if (const auto* text = std::get_if<std::string>(&value)) cell = *text;
    values.push_back(ordered_json::array({cell, result.run.provided.test(static_cast<std::size_t>(i))}));
  }
  return values.dump();
}

// Buffer lines reach the same rules through the flat decoder
// (parse_run_object on FlatJsonObject members). Every body of these tests
// takes both paths, and both must give the same record or the same errors.
// (The flat decoder declines what the quick decoder declines, such as
// 19-digit numbers; such lines take the DOM path alone.)
RunParseResult parse_both_ways(const ordered_json& body, const ordered_json& loc = body_loc()) {
  RunParseResult from_dom = parse_run(body, loc, kNow);
  if (body.is_object()) {
    const std::string text = body.dump();
    INFO(text);
    FlatJsonObject flat;
    if (flat.decode(text)) {
      const RunParseResult from_flat = parse_run_object(flat.members(), loc, kNow);
      CHECK(record_text(from_flat) == record_text(from_dom));
    } else {
      CHECK_FALSE(decode_common_json(text).has_value());
    }
  }
  return from_dom;
}

RunRecord parse_valid(const ordered_json& body) {
  RunParseResult result = parse_both_ways(body);
  INFO(errors_text(result.errors));
  REQUIRE(result.ok());
  return result.run;
}

// The single error of a body that breaks exactly one field rule.
FieldError single_error(const ordered_json& body) {
  RunParseResult result = parse_both_ways(body);
  INFO(body.dump());
  REQUIRE(result.errors.size() == 1);
  return result.errors.front();
}

ordered_json with(const char* key, const ordered_json& value) {
  ordered_json body = minimal_run();
  body[key] = value;
  return body;
}

ordered_json without(const char* key) {
  ordered_json body = minimal_run();
  body.erase(key);
  return body;
}

std::int64_t integer(const RunRecord& run, C column) { return std::get<std::int64_t>(run[column]); }

const std::vector<const char*> kIntegerFields{"items_discovered", "items_succeeded",
                                              "items_failed", "items_skipped", "duration_ms",
                                              "api_retry_count"};

const std::vector<const char*> kOptionalStringFields{
    "product", "product_family", "platform", "subdomain", "website", "website_section",
    "item_name", "input_summary", "output_summary", "source_ref", "target_ref", "error_summary",
    "error_details", "git_repo", "git_branch", "git_commit_hash", "git_run_tag",
    "git_commit_author", "host", "environment", "trigger_type", "insight_id", "parent_run_id",
    "agent_owner"};

const std::vector<const char*> kOptionalTimestampFields{"end_time", "git_commit_timestamp",
                                                        "api_posted_at"};

}  // namespace

TEST_CASE("the spec's 422 example: no event_id and a negative counter") {
  const ordered_json body = ordered_json::parse(
      R"({"run_id":"r-17","start_time":"2026-01-14T09:15:02+00:00","agent_name":"crawler","job_type":"crawl","items_failed":-2})");
  const RunParseResult result = parse_both_ways(body);
  CHECK_FALSE(result.ok());
  CHECK(errors_text(result.errors) ==
        R"({"detail":[)"
        R"({"type":"missing","loc":["body","event_id"],"msg":"Field required",)"
        R"("input":{"run_id":"r-17","start_time":"2026-01-14T09:15:02+00:00","agent_name":"crawler","job_type":"crawl","items_failed":-2}},)"
        R"({"type":"greater_than_equal","loc":["body","items_failed"],"msg":"Input should be greater than or equal to 0",)"
        R"("input":-2,"ctx":{"ge":0}}]})");
  CHECK(join_reasons(result.errors) ==
        "event_id: Field required; items_failed: Input should be greater than or equal to 0");
}

TEST_CASE("a minimal run gets every default") {
  const RunRecord run = parse_valid(minimal_run());
  CHECK(is_null(run[C::id]));
  CHECK(run.text(C::event_id) == "e-1");
  CHECK(run.text(C::run_id) == "r-1");
  CHECK(integer(run, C::schema_version) == 7);
  CHECK(run.text(C::created_at) == kNow);
  CHECK(run.text(C::updated_at) == kNow);
  CHECK(run.text(C::start_time) == "2026-01-14T09:15:02+00:00");
  CHECK(run.text(C::agent_name) == "crawler");
  CHECK(run.text(C::job_type) == "crawl");
  CHECK(run.text(C::status) == "running");
  for (C column : {C::items_discovered, C::items_succeeded, C::items_failed, C::items_skipped,
                   C::duration_ms, C::api_posted, C::api_retry_count}) {
    INFO(column_name(column));
    CHECK(integer(run, column) == 0);
  }
  for (const char* key : kOptionalStringFields) {
    INFO(key);
    CHECK(is_null(run[*column_by_name(key)]));
  }
  for (C column : {C::end_time, C::git_commit_source, C::git_commit_timestamp, C::metrics_json,
                   C::context_json, C::api_posted_at}) {
    INFO(column_name(column));
    CHECK(is_null(run[column]));
  }
}

TEST_CASE("provided marks exactly the keys present with a non-null value") {
  ordered_json body = minimal_run();
  body["end_time"] = "";              // counts as null
  body["duration_ms"] = nullptr;      // null -> default
  body["created_at"] = nullptr;
  body["items_failed"] = 0;           // present, even though it equals the default
  body["metrics_json"] = "  ";        // counts as null
  body["status"] = "running";
  body["product"] = "";               // an empty string is still a string
  body["schema_version"] = 6;         // ignored key
  const RunRecord run = parse_valid(body);
  std::vector<std::string> provided;
  for (int i = 0; i < kRunColumnCount; ++i) {
    if (run.provided.test(i)) provided.emplace_back(column_name(column_at(i)));
  }
  CHECK(provided == std::vector<std::string>{"event_id", "run_id", "start_time", "agent_name",
                                             "job_type", "status", "product", "items_failed"});
  CHECK(run.was_provided(C::status));
  CHECK_FALSE(run.was_provided(C::duration_ms));
  CHECK(integer(run, C::duration_ms) == 0);
  CHECK(run.text(C::product).empty());
}

TEST_CASE("a complete run stores every field in its column") {
  const ordered_json body = ordered_json::parse(R"({
    "event_id":"3f1c9a2e","run_id":"20260114T091502Z-doc-translator-7c41e2a9",
    "created_at":"2026-01-14 14:45:02,5+05:30","start_time":"2026-01-14T09:15:02.401118+00:00",
    "end_time":"2026-01-14T09:17:44.990501+00:00","agent_name":"doc-translator","job_type":"translate",
    "status":" Completed ","product":"words","product_family":"documents","platform":"net",
    "subdomain":"sd","website":"docs.example.org","website_section":"guides","item_name":"gs.md",
    "items_discovered":40,"items_succeeded":"38","items_failed":1.0,"items_skipped":true,
    "duration_ms":" 162589 ","input_summary":"40 pages","output_summary":"38 translated",
    "source_ref":"src","target_ref":"tgt","error_summary":"1 page failed","error_details":"details",
    "git_repo":"git@github.com:example/docs.git","git_branch":"main","git_commit_hash":"9b2e4c1d7a",
    "git_run_tag":"tag","git_commit_source":"ci","git_commit_author":"ci-bot",
    "git_commit_timestamp":"2026-01-14T09:18:00Z","host":"build-07","environment":"prod",
    "trigger_type":"scheduler","metrics_json":"{\"pages_per_minute\": 14.70, \"retries\": 2}",
    "context_json":{"locale":"fr-FR","note":"relecture terminée"},"api_posted":"yes",
    "api_posted_at":"2026-01-14T09:18:01+01:00","api_retry_count":"3.0","insight_id":"ins",
    "parent_run_id":"parent","agent_owner":"platform-team","id":99,"updated_at":"x","record_type":"run"
  })");
  const RunRecord run = parse_valid(body);
  CHECK(run.text(C::created_at) == "2026-01-14T09:15:02.500000+00:00");
  CHECK(run.text(C::updated_at) == kNow);
  CHECK(is_null(run[C::id]));
  CHECK(integer(run, C::schema_version) == 7);
  CHECK(run.text(C::start_time) == "2026-01-14T09:15:02.401118+00:00");
  CHECK(run.text(C::end_time) == "2026-01-14T09:17:44.990501+00:00");
  CHECK(run.text(C::status) == "success");
  CHECK(integer(run, C::items_discovered) == 40);
  CHECK(integer(run, C::items_succeeded) == 38);
  CHECK(integer(run, C::items_failed) == 1);
  CHECK(integer(run, C::items_skipped) == 1);
  CHECK(integer(run, C::duration_ms) == 162589);
  CHECK(run.text(C::git_commit_source) == "ci");
  CHECK(run.text(C::git_commit_timestamp) == "2026-01-14T09:18:00Z");
  CHECK(run.text(C::metrics_json) == R"({"pages_per_minute":14.7,"retries":2})");
  CHECK(run.text(C::context_json) == "{\"locale\":\"fr-FR\",\"note\":\"relecture termin\xC3\xA9" "e\"}");
  CHECK(integer(run, C::api_posted) == 1);
  CHECK(run.text(C::api_posted_at) == "2026-01-14T09:18:01+01:00");
  CHECK(integer(run, C::api_retry_count) == 3);
  for (const char* key : kOptionalStringFields) {
    INFO(key);
    CHECK(run.text(*column_by_name(key)) == body[key].get<std::string>());
  }
  for (int i = 1; i < kRunColumnCount; ++i) {
    const C column = column_at(i);
    const bool controlled_by_service = column == C::schema_version || column == C::updated_at;
    INFO(column_name(column));
    CHECK(run.was_provided(column) == !controlled_by_service);
  }
}

TEST_CASE("required fields: missing, null and wrong type") {
  for (const char* key : {"event_id", "run_id", "start_time", "agent_name", "job_type"}) {
    INFO(key);
    const ordered_json body = without(key);
    const FieldError missing = single_error(body);
    CHECK(missing.type == "missing");
    CHECK(missing.loc == loc(key));
    CHECK(missing.msg == "Field required");
    CHECK(missing.input == body);
    CHECK_FALSE(missing.ctx.has_value());

    const FieldError null_error = single_error(with(key, nullptr));
    CHECK(null_error.type == "string_type");
    CHECK(null_error.loc == loc(key));
    CHECK(null_error.input.is_null());

    const FieldError number_error = single_error(with(key, 12));
    CHECK(number_error.type == "string_type");
    CHECK(number_error.msg == "Input should be a valid string");
    CHECK(number_error.input == 12);
  }
}

TEST_CASE("event_id must have at least one character") {
  const FieldError error = single_error(with("event_id", ""));
  CHECK(error.to_json().dump() ==
        R"({"type":"string_too_short","loc":["body","event_id"],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1}})");
  CHECK(parse_valid(with("event_id", " ")).text(C::event_id) == " ");
  CHECK(parse_valid(with("run_id", "")).text(C::run_id) == "");
}

TEST_CASE("created_at: default, canonical storage, errors") {
  CHECK(parse_valid(with("created_at", nullptr)).text(C::created_at) == kNow);
  CHECK(parse_valid(with("created_at", "")).text(C::created_at) == kNow);
  CHECK(parse_valid(with("created_at", "2026-01-14T10:00:00+01:00")).text(C::created_at) ==
        "2026-01-14T09:00:00.000000+00:00");
  CHECK(parse_valid(with("created_at", "2026-01-14t09:00")).text(C::created_at) ==
        "2026-01-14T09:00:00.000000+00:00");
  const FieldError bad = single_error(with("created_at", "2026-01-14"));
  CHECK(bad.type == "datetime_parsing");
  CHECK(bad.loc == loc("created_at"));
  CHECK(bad.msg == "Input should be a valid ISO 8601 date-time");
  CHECK(bad.input == "2026-01-14");
  CHECK(single_error(with("created_at", 5)).type == "string_type");
}

TEST_CASE("start_time: stored as sent; empty, null and date-only are refused") {
  CHECK(parse_valid(with("start_time", "2026-01-14 09:15:02,5-03")).text(C::start_time) ==
        "2026-01-14 09:15:02,5-03");
  CHECK(single_error(with("start_time", "")).type == "datetime_parsing");
  CHECK(single_error(with("start_time", "")).input == "");
  CHECK(single_error(with("start_time", nullptr)).type == "string_type");
  CHECK(single_error(with("start_time", "2026-01-14")).type == "datetime_parsing");
  CHECK(single_error(with("start_time", "2026-01-14T24:00:00")).type == "datetime_parsing");
  CHECK(single_error(with("start_time", ordered_json::object())).type == "string_type");
}

TEST_CASE("optional timestamps: stored as sent, null and empty mean NULL") {
  for (const char* key : kOptionalTimestampFields) {
    INFO(key);
    const C column = *column_by_name(key);
    CHECK(parse_valid(with(key, "2026-01-14T09:15:02.5+05:30")).text(column) ==
          "2026-01-14T09:15:02.5+05:30");
    CHECK(is_null(parse_valid(with(key, nullptr))[column]));
    CHECK(is_null(parse_valid(with(key, ""))[column]));
    const FieldError bad = single_error(with(key, "yesterday"));
    CHECK(bad.type == "datetime_parsing");
    CHECK(bad.loc == loc(key));
    CHECK(single_error(with(key, " ")).type == "datetime_parsing");
    CHECK(single_error(with(key, 1)).type == "string_type");
  }
}

TEST_CASE("status: default, aliases, null and bad values") {
  CHECK(parse_valid(minimal_run()).text(C::status) == "running");
  CHECK(parse_valid(with("status", "FAILED")).text(C::status) == "failure");
  CHECK(parse_valid(with("status", "canceled")).text(C::status) == "cancelled");
  CHECK(parse_valid(with("status", "succeeded")).text(C::status) == "success");
  const FieldError null_error = single_error(with("status", nullptr));
  CHECK(null_error.type == "string_type");
  CHECK(null_error.loc == loc("status"));
  const FieldError bad = single_error(with("status", ""));
  CHECK(bad.to_json().dump() ==
        R"({"type":"value_error","loc":["body","status"],"msg":"Value error, Status must be one of: ['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']","input":""})");
  CHECK(single_error(with("status", true)).type == "string_type");
}

TEST_CASE("optional strings: null is NULL, other types are string_type") {
  for (const char* key : kOptionalStringFields) {
    INFO(key);
    const C column = *column_by_name(key);
    CHECK(is_null(parse_valid(with(key, nullptr))[column]));
    CHECK(parse_valid(with(key, " kept as is ")).text(column) == " kept as is ");
    const FieldError error = single_error(with(key, 1.5));
    CHECK(error.type == "string_type");
    CHECK(error.loc == loc(key));
    CHECK(error.input == 1.5);
    CHECK(single_error(with(key, false)).type == "string_type");
    CHECK(single_error(with(key, ordered_json::array())).type == "string_type");
  }
}

TEST_CASE("integer fields follow 9.2 with their POST null rule") {
  for (const char* key : kIntegerFields) {
    INFO(key);
    const C column = *column_by_name(key);
    CHECK(integer(parse_valid(with(key, 5)), column) == 5);
    CHECK(integer(parse_valid(with(key, "7.00")), column) == 7);
    CHECK(integer(parse_valid(with(key, " 42 ")), column) == 42);
    CHECK(integer(parse_valid(with(key, "-0")), column) == 0);
    CHECK(integer(parse_valid(with(key, ordered_json::parse("1e3"))), column) == 1000);
    CHECK(integer(parse_valid(with(key, true)), column) == 1);
    CHECK(integer(parse_valid(with(key, 9223372036854775807LL)), column) ==
          9223372036854775807LL);
    if (std::string(key) == "duration_ms") {
      const RunRecord run = parse_valid(with(key, nullptr));
      CHECK(integer(run, column) == 0);
      CHECK_FALSE(run.was_provided(column));
    } else {
      const FieldError null_error = single_error(with(key, nullptr));
      CHECK(null_error.type == "int_type");
      CHECK(null_error.msg == "Input should be a valid integer");
      CHECK(null_error.loc == loc(key));
    }
    CHECK(single_error(with(key, ordered_json::object())).type == "int_type");
    CHECK(single_error(with(key, ordered_json::array({1}))).type == "int_type");
    CHECK(single_error(with(key, "x")).type == "int_parsing");
    CHECK(single_error(with(key, "1.5")).type == "int_parsing");
    CHECK(single_error(with(key, "1e3")).type == "int_parsing");
    CHECK(single_error(with(key, "")).type == "int_parsing");
    CHECK(single_error(with(key, "1_000")).type == "int_parsing");
    CHECK(single_error(with(key, 1.5)).type == "int_from_float");
    const FieldError negative = single_error(with(key, -1));
    CHECK(negative.to_json().dump() ==
          std::string(R"({"type":"greater_than_equal","loc":["body",")") + key +
              R"("],"msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0}})");
    const FieldError big = single_error(with(key, ordered_json::parse("9223372036854775808")));
    CHECK(big.to_json().dump() ==
          std::string(R"({"type":"less_than_equal","loc":["body",")") + key +
              R"("],"msg":"Input should be less than or equal to 9223372036854775807","input":9223372036854775808,"ctx":{"le":9223372036854775807}})");
    CHECK(single_error(with(key, "99999999999999999999")).type == "less_than_equal");
    CHECK(single_error(with(key, ordered_json::parse("1e300"))).type == "less_than_equal");
  }
}

TEST_CASE("api_posted follows 9.3 and is stored as 0/1") {
  CHECK(integer(parse_valid(with("api_posted", true)), C::api_posted) == 1);
  CHECK(integer(parse_valid(with("api_posted", 0)), C::api_posted) == 0);
  CHECK(integer(parse_valid(with("api_posted", 1)), C::api_posted) == 1);
  CHECK(integer(parse_valid(with("api_posted", "Off")), C::api_posted) == 0);
  CHECK(integer(parse_valid(with("api_posted", "Y")), C::api_posted) == 1);
  const FieldError null_error = single_error(with("api_posted", nullptr));
  CHECK(null_error.type == "bool_type");
  CHECK(null_error.msg == "Input should be a valid boolean");
  CHECK(null_error.loc == loc("api_posted"));
  const FieldError bad = single_error(with("api_posted", "maybe"));
  CHECK(bad.type == "bool_parsing");
  CHECK(bad.msg == "Input should be a valid boolean, unable to interpret input");
  CHECK(single_error(with("api_posted", 2)).type == "bool_parsing");
  CHECK(single_error(with("api_posted", ordered_json::array())).type == "bool_type");
}

TEST_CASE("metrics_json and context_json follow 9.6") {
  for (const char* key : {"metrics_json", "context_json"}) {
    INFO(key);
    const C column = *column_by_name(key);
    CHECK(parse_valid(with(key, ordered_json::parse(R"({"z": 1e3, "a": [true, null]})")))
              .text(column) == R"({"z":1000.0,"a":[true,null]})");
    CHECK(parse_valid(with(key, "{\"pages\": 120}")).text(column) == R"({"pages":120})");
    CHECK(parse_valid(with(key, ordered_json::object())).text(column) == "{}");
    CHECK(is_null(parse_valid(with(key, nullptr))[column]));
    CHECK(is_null(parse_valid(with(key, ""))[column]));
    CHECK(is_null(parse_valid(with(key, " \n"))[column]));
    const FieldError not_object = single_error(with(key, "[1, 2]"));
    CHECK(not_object.type == "value_error");
    CHECK(not_object.msg == std::string("Value error, ") + key +
                                " must be a JSON object or a string containing a JSON object");
    CHECK(not_object.loc == loc(key));
    CHECK(single_error(with(key, "{\"retries\": NaN}")).type == "value_error");
    CHECK(single_error(with(key, 12)).type == "dict_type");
    CHECK(single_error(with(key, true)).type == "dict_type");
    const FieldError array = single_error(with(key, ordered_json::array()));
    CHECK(array.to_json().dump() == std::string(R"({"type":"dict_type","loc":["body",")") + key +
                                        R"("],"msg":"Input should be a valid dictionary","input":[]})");
  }
}

TEST_CASE("git_commit_source is manual, llm, ci or null") {
  CHECK(parse_valid(with("git_commit_source", "llm")).text(C::git_commit_source) == "llm");
  CHECK(is_null(parse_valid(with("git_commit_source", nullptr))[C::git_commit_source]));
  const FieldError bad = single_error(with("git_commit_source", "CI"));
  CHECK(bad.to_json().dump() ==
        R"({"type":"value_error","loc":["body","git_commit_source"],"msg":"Value error, git_commit_source must be 'manual', 'llm', or 'ci'","input":"CI"})");
}

TEST_CASE("every invalid field is reported once, in field-table order") {
  // Keys deliberately in an order different from the table.
  const ordered_json body = ordered_json::parse(R"({
      "agent_owner": 5, "api_posted": null, "items_failed": -1, "status": "nope",
      "created_at": "bad", "run_id": null, "metrics_json": [1], "start_time": "",
      "job_type": "j", "items_discovered": "1.5e"})");
  const RunParseResult result = parse_both_ways(body);
  std::vector<std::string> fields;
  std::vector<std::string> types;
  for (const FieldError& error : result.errors) {
    fields.push_back(error.loc.back().get<std::string>());
    types.push_back(error.type);
  }
  CHECK(fields == std::vector<std::string>{"event_id", "run_id", "created_at", "start_time",
                                           "agent_name", "status", "items_discovered",
                                           "items_failed", "metrics_json", "api_posted",
                                           "agent_owner"});
  CHECK(types == std::vector<std::string>{"missing", "string_type", "datetime_parsing",
                                          "datetime_parsing", "missing", "value_error",
                                          "int_parsing", "greater_than_equal", "dict_type",
                                          "bool_type", "string_type"});
  CHECK(result.errors[0].input == body);
  CHECK(result.errors[4].input == body);
}

TEST_CASE("batch items are located under their index") {
  const ordered_json prefix = ordered_json::array({"body", 3});
  const RunParseResult result = parse_both_ways(without("job_type"), prefix);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].loc.dump() == R"(["body",3,"job_type"])");
  CHECK(result.errors[0].to_reason() == "job_type: Field required");
}

TEST_CASE("a body that is not an object is model_attributes_type at the prefix") {
  for (const ordered_json& body : {ordered_json::array(), ordered_json("run"), ordered_json(nullptr),
                                   ordered_json(1)}) {
    const RunParseResult top = parse_both_ways(body);
    REQUIRE(top.errors.size() == 1);
    CHECK(top.errors[0].to_json().dump() ==
          R"({"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":)" +
              body.dump() + "}");
  }
  const RunParseResult item = parse_run(ordered_json(7), ordered_json::array({"body", 2}), kNow);
  REQUIRE(item.errors.size() == 1);
  CHECK(item.errors[0].loc.dump() == R"(["body",2])");
  CHECK(item.errors[0].input == 7);
}

TEST_CASE("an empty object reports the five required fields") {
  const RunParseResult result = parse_both_ways(ordered_json::object());
  CHECK(join_reasons(result.errors) ==
        "event_id: Field required; run_id: Field required; start_time: Field required; "
        "agent_name: Field required; job_type: Field required");
}

TEST_CASE("a 40-key buffer line of an older client parses") {
  const ordered_json line = ordered_json::parse(R"({"run_id": "20251223T180000Z-crawler-1a2b3c4d",
      "agent_name": "crawler", "job_type": "crawl", "trigger_type": "cron",
      "start_time": "2025-12-23T18:00:00+00:00", "event_id": "0b7f", "schema_version": 6,
      "agent_owner": null, "end_time": null, "status": "failed", "items_discovered": 0,
      "items_succeeded": 0, "items_failed": 0, "duration_ms": null, "input_summary": null,
      "output_summary": null, "error_summary": null, "metrics_json": "{\"pages\": 120}",
      "insight_id": null, "product": null, "platform": null, "product_family": null,
      "subdomain": null, "website": null, "website_section": null, "item_name": null,
      "git_repo": "docs", "git_branch": null, "git_run_tag": null, "git_commit_hash": null,
      "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null,
      "host": "h", "api_posted": 0, "api_posted_at": null, "api_retry_count": 0,
      "created_at": "2025-12-23T18:00:00.123456+00:00",
      "updated_at": "2025-12-23T18:00:00.123456+00:00", "record_type": "run"})");
  const RunRecord run = parse_valid(line);
  CHECK(run.text(C::status) == "failure");
  CHECK(integer(run, C::duration_ms) == 0);
  CHECK(run.text(C::metrics_json) == R"({"pages":120})");
  CHECK(run.text(C::created_at) == "2025-12-23T18:00:00.123456+00:00");
  CHECK(run.text(C::updated_at) == kNow);
  CHECK(integer(run, C::api_posted) == 0);
  CHECK(run.was_provided(C::api_posted));
  CHECK_FALSE(run.was_provided(C::end_time));
}

TEST_CASE("every text field has its length limit, named in its 422") {
  // The limit of each text field (docs/reference/http-api.md §9.1), by class.
  const std::vector<std::pair<const char*, std::size_t>> limits{
      {"event_id", kLabelMaxLength}, {"run_id", kLabelMaxLength},
      {"agent_name", kLabelMaxLength}, {"job_type", kLabelMaxLength},
      {"product", kLabelMaxLength}, {"product_family", kLabelMaxLength},
      {"platform", kLabelMaxLength}, {"subdomain", kLabelMaxLength},
      {"website_section", kLabelMaxLength}, {"git_branch", kLabelMaxLength},
      {"git_commit_hash", kLabelMaxLength}, {"git_run_tag", kLabelMaxLength},
      {"git_commit_author", kLabelMaxLength}, {"host", kLabelMaxLength},
      {"environment", kLabelMaxLength}, {"trigger_type", kLabelMaxLength},
      {"insight_id", kLabelMaxLength}, {"parent_run_id", kLabelMaxLength},
      {"agent_owner", kLabelMaxLength},
      {"website", kReferenceMaxLength}, {"item_name", kReferenceMaxLength},
      {"source_ref", kReferenceMaxLength}, {"target_ref", kReferenceMaxLength},
      {"git_repo", kReferenceMaxLength},
      {"input_summary", kTextMaxLength}, {"output_summary", kTextMaxLength},
      {"error_summary", kTextMaxLength}, {"error_details", kTextMaxLength}};
  // Every string field of the table is listed (the four others are timestamps,
  // status and commit source, refused by their own rules).
  CHECK(limits.size() == kOptionalStringFields.size() + 4);
  for (const auto& [field, limit] : limits) {
    INFO(field);
    CHECK(parse_valid(with(field, std::string(limit, 'x'))).text(*column_by_name(field)).size() == limit);
    const FieldError error = single_error(with(field, std::string(limit + 1, 'x')));
    CHECK(error.type == "string_too_long");
    CHECK(error.loc == loc(field));
    CHECK(error.msg == fmt::format("String should have at most {} characters", limit));
    CHECK(error.ctx == ordered_json{{"max_length", limit}});
  }
  // The limit is in characters: 256 two-byte characters are accepted.
  std::string accented;
  for (std::size_t i = 0; i < kLabelMaxLength; ++i) accented += "\xC3\xA9";
  CHECK(parse_valid(with("agent_name", accented)).text(C::agent_name) == accented);
  CHECK(single_error(with("agent_name", accented + "e")).type == "string_too_long");
}

TEST_CASE("metrics_json and context_json are limited as stored compact JSON") {
  for (const char* field : {"metrics_json", "context_json"}) {
    INFO(field);
    // {"k":"xxx…"} is 8 characters around the padding.
    const ordered_json fits{{"k", std::string(kTextMaxLength - 8, 'x')}};
    CHECK(parse_valid(with(field, fits)).text(*column_by_name(field)).size() == kTextMaxLength);
    const ordered_json over{{"k", std::string(kTextMaxLength - 7, 'x')}};
    for (const ordered_json& sent : {over, ordered_json(over.dump())}) {
      const FieldError error = single_error(with(field, sent));
      CHECK(error.type == "value_error");
      CHECK(error.loc == loc(field));
      CHECK(error.msg == fmt::format("Value error, {} must be at most {} characters as compact JSON",
                                     field, kTextMaxLength));
    }
  }
}
