#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/field_rules.h"
#include "core/run_update.h"
#include "run_fixtures.h"

using namespace telemetry;
using namespace telemetry::test;
using C = RunColumn;

namespace {

RunUpdate patch_ok(const char* json) {
  RunUpdateParseResult result = parse_run_patch(ordered_json::parse(json));
  INFO(errors_text(result.errors));
  REQUIRE(result.ok());
  return result.update;
}

std::vector<std::string> columns_of(const RunUpdate& update) {
  std::vector<std::string> names;
  for (const auto& [column, value] : update) names.emplace_back(column_name(column));
  return names;
}

RunUpdate associate_ok(const char* json) {
  RunUpdateParseResult result = parse_associate_commit(ordered_json::parse(json));
  INFO(errors_text(result.errors));
  REQUIRE(result.ok());
  return result.update;
}

FieldErrors associate_errors(const ordered_json& body) {
  return parse_associate_commit(body).errors;
}

}  // namespace

TEST_CASE("patchable_columns lists the PATCH table of 14.1 in order") {
  std::vector<std::string> names;
  for (C column : patchable_columns()) names.emplace_back(column_name(column));
  CHECK(names == std::vector<std::string>{
                     "status", "end_time", "duration_ms", "error_summary", "error_details",
                     "output_summary", "items_succeeded", "items_failed", "items_skipped",
                     "metrics_json", "context_json", "git_commit_source", "git_commit_author",
                     "git_commit_timestamp", "items_discovered", "input_summary"});
}

TEST_CASE("PATCH sets the fields present with a value, in table order") {
  const RunUpdate update = patch_ok(R"({"duration_ms":"1200","end_time":"2026-01-14 09:17:44",
      "status":"Completed","run_id":"ignored","updated_at":"ignored","agent_name":"ignored"})");
  CHECK(columns_of(update) == std::vector<std::string>{"status", "end_time", "duration_ms"});
  CHECK(std::get<std::string>(update[0].second) == "success");
  CHECK(std::get<std::string>(update[1].second) == "2026-01-14 09:17:44");
  CHECK(std::get<std::int64_t>(update[2].second) == 1200);
}

TEST_CASE("PATCH accepts every field of its table") {
  const RunUpdate update = patch_ok(R"({"input_summary":"in","items_discovered":4,
      "git_commit_timestamp":"2026-01-14T09:18:00Z","git_commit_author":"me","git_commit_source":"manual",
      "context_json":{"a":1},"metrics_json":"{\"b\": 2.50}","items_skipped":1,"items_failed":0,
      "items_succeeded":3.0,"output_summary":"out","error_details":"d","error_summary":"s",
      "duration_ms":true,"end_time":"2026-01-14T09:17:44+00:00","status":"timeout"})");
  CHECK(update.size() == 16);
  CHECK(columns_of(update) == std::vector<std::string>{
                                  "status", "end_time", "duration_ms", "error_summary",
                                  "error_details", "output_summary", "items_succeeded",
                                  "items_failed", "items_skipped", "metrics_json", "context_json",
                                  "git_commit_source", "git_commit_author",
                                  "git_commit_timestamp", "items_discovered", "input_summary"});
  CHECK(std::get<std::string>(update[9].second) == R"({"b":2.5})");
  CHECK(std::get<std::string>(update[10].second) == R"({"a":1})");
  CHECK(std::get<std::int64_t>(update[6].second) == 3);
  CHECK(std::get<std::int64_t>(update[2].second) == 1);
}

TEST_CASE("PATCH: null, empty timestamps and empty JSON strings mean absent") {
  CHECK(patch_ok("{}").empty());
  CHECK(patch_ok(R"({"status":null,"end_time":null,"duration_ms":null,"error_summary":null,
      "items_succeeded":null,"metrics_json":null,"git_commit_source":null})")
            .empty());
  CHECK(patch_ok(R"({"end_time":"","git_commit_timestamp":"","metrics_json":" ","context_json":""})")
            .empty());
  // An empty plain string is a value.
  CHECK(columns_of(patch_ok(R"({"error_summary":""})")) ==
        std::vector<std::string>{"error_summary"});
}

TEST_CASE("PATCH reports every bad field in table order") {
  const ordered_json body = ordered_json::parse(R"({"input_summary":1,"items_failed":-4,
      "status":"finished","metrics_json":5,"git_commit_source":"bot","end_time":"2026-01-14",
      "duration_ms":"abc","items_discovered":1.25})");
  const RunUpdateParseResult result = parse_run_patch(body);
  CHECK(errors_text(result.errors) ==
        R"({"detail":[)"
        R"({"type":"value_error","loc":["body","status"],"msg":"Value error, Status must be one of: ['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']","input":"finished"},)"
        R"({"type":"datetime_parsing","loc":["body","end_time"],"msg":"Input should be a valid ISO 8601 date-time","input":"2026-01-14"},)"
        R"({"type":"int_parsing","loc":["body","duration_ms"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"},)"
        R"({"type":"greater_than_equal","loc":["body","items_failed"],"msg":"Input should be greater than or equal to 0","input":-4,"ctx":{"ge":0}},)"
        R"({"type":"dict_type","loc":["body","metrics_json"],"msg":"Input should be a valid dictionary","input":5},)"
        R"({"type":"value_error","loc":["body","git_commit_source"],"msg":"Value error, git_commit_source must be 'manual', 'llm', or 'ci'","input":"bot"},)"
        R"({"type":"int_from_float","loc":["body","items_discovered"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.25},)"
        R"({"type":"string_type","loc":["body","input_summary"],"msg":"Input should be a valid string","input":1}]})");
  CHECK(result.update.empty());
}

TEST_CASE("PATCH body that is not an object") {
  const RunUpdateParseResult result = parse_run_patch(ordered_json::array({1}));
  CHECK(errors_text(result.errors) ==
        R"({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1]}]})");
}

TEST_CASE("associate-commit writes all four columns") {
  const RunUpdate update = associate_ok(R"({"commit_hash":"abc1234","commit_source":"llm",
      "commit_author":"Ada","commit_timestamp":"2026-01-14T09:18:00+02:00","extra":1})");
  REQUIRE(update.size() == 4);
  CHECK(update[0].first == C::git_commit_hash);
  CHECK(std::get<std::string>(update[0].second) == "abc1234");
  CHECK(update[1].first == C::git_commit_source);
  CHECK(std::get<std::string>(update[1].second) == "llm");
  CHECK(update[2].first == C::git_commit_author);
  CHECK(std::get<std::string>(update[2].second) == "Ada");
  CHECK(update[3].first == C::git_commit_timestamp);
  CHECK(std::get<std::string>(update[3].second) == "2026-01-14T09:18:00+02:00");
}

TEST_CASE("associate-commit: absent, null or empty optional fields write NULL") {
  for (const char* json : {R"({"commit_hash":"abc1234","commit_source":"ci"})",
                           R"({"commit_hash":"abc1234","commit_source":"ci","commit_author":null,"commit_timestamp":null})",
                           R"({"commit_hash":"abc1234","commit_source":"ci","commit_timestamp":""})"}) {
    INFO(json);
    const RunUpdate update = associate_ok(json);
    REQUIRE(update.size() == 4);
    CHECK(update[2].first == C::git_commit_author);
    CHECK(is_null(update[2].second));
    CHECK(update[3].first == C::git_commit_timestamp);
    CHECK(is_null(update[3].second));
  }
}

TEST_CASE("associate-commit: commit_hash length in code points") {
  const FieldErrors short_hash =
      associate_errors(ordered_json::parse(R"({"commit_hash":"abc123","commit_source":"ci"})"));
  CHECK(errors_text(short_hash) ==
        R"({"detail":[{"type":"string_too_short","loc":["body","commit_hash"],"msg":"String should have at least 7 characters","input":"abc123","ctx":{"min_length":7}}]})");
  const ordered_json long_body{{"commit_hash", std::string(41, 'f')}, {"commit_source", "ci"}};
  CHECK(errors_text(associate_errors(long_body)) ==
        R"({"detail":[{"type":"string_too_long","loc":["body","commit_hash"],"msg":"String should have at most 40 characters","input":")" +
            std::string(41, 'f') + R"(","ctx":{"max_length":40}}]})");
  const ordered_json forty{{"commit_hash", std::string(40, 'f')}, {"commit_source", "ci"}};
  CHECK(associate_errors(forty).empty());
  // Not checked for hex.
  CHECK(associate_errors(ordered_json{{"commit_hash", "zzzzzzz"}, {"commit_source", "ci"}}).empty());
  // Seven accented letters: 14 bytes, 7 characters.
  CHECK(associate_errors(ordered_json{{"commit_hash", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"},
                                      {"commit_source", "ci"}})
            .empty());
}

TEST_CASE("associate-commit: required fields and every error in order") {
  const ordered_json empty = ordered_json::object();
  CHECK(errors_text(associate_errors(empty)) ==
        R"({"detail":[{"type":"missing","loc":["body","commit_hash"],"msg":"Field required","input":{}},)"
        R"({"type":"missing","loc":["body","commit_source"],"msg":"Field required","input":{}}]})");
  const ordered_json bad = ordered_json::parse(
      R"({"commit_timestamp":"soon","commit_author":7,"commit_source":"CI","commit_hash":null})");
  CHECK(errors_text(associate_errors(bad)) ==
        R"({"detail":[)"
        R"({"type":"string_type","loc":["body","commit_hash"],"msg":"Input should be a valid string","input":null},)"
        R"({"type":"value_error","loc":["body","commit_source"],"msg":"Value error, commit_source must be 'manual', 'llm', or 'ci'","input":"CI"},)"
        R"({"type":"string_type","loc":["body","commit_author"],"msg":"Input should be a valid string","input":7},)"
        R"({"type":"datetime_parsing","loc":["body","commit_timestamp"],"msg":"Input should be a valid ISO 8601 date-time","input":"soon"}]})");
  CHECK(associate_errors(ordered_json::parse(R"({"commit_hash":"abc1234","commit_source":null})"))
            .front()
            .type == "string_type");
  CHECK(errors_text(associate_errors(ordered_json("x"))) ==
        R"({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"x"}]})");
}

TEST_CASE("PATCH and associate-commit apply the same length limits as POST") {
  for (const auto& [field, limit] : std::vector<std::pair<const char*, std::size_t>>{
           {"error_summary", kTextMaxLength}, {"error_details", kTextMaxLength},
           {"output_summary", kTextMaxLength}, {"input_summary", kTextMaxLength},
           {"git_commit_author", kLabelMaxLength}}) {
    INFO(field);
    ordered_json body{{field, std::string(limit, 'x')}};
    CHECK(parse_run_patch(body).ok());
    body[field] = std::string(limit + 1, 'x');
    const FieldErrors errors = parse_run_patch(body).errors;
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].type == "string_too_long");
    CHECK(errors[0].loc == ordered_json::array({"body", field}));
    CHECK(errors[0].ctx == ordered_json{{"max_length", limit}});
  }
  for (const char* field : {"metrics_json", "context_json"}) {
    const ordered_json over{{field, {{"k", std::string(kTextMaxLength, 'x')}}}};
    const FieldErrors errors = parse_run_patch(over).errors;
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].msg == fmt::format("Value error, {} must be at most {} characters as compact JSON",
                                       field, kTextMaxLength));
  }
  const FieldErrors errors = associate_errors(
      {{"commit_hash", "abc1234"}, {"commit_source", "ci"}, {"commit_author", std::string(kLabelMaxLength + 1, 'a')}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].loc == ordered_json::array({"body", "commit_author"}));
  CHECK(errors[0].type == "string_too_long");
}
