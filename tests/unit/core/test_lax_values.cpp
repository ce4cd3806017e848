#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "core/lax_values.h"

using namespace telemetry;
using Kind = IntegerReading::Kind;
// The rules read a JsonView; the tests write each value as a DOM node.
using J = ordered_json;

namespace {

const ordered_json kLoc = ordered_json::array({"body", "f"});
constexpr std::size_t kMax = 1000;  // a length limit no value of the older tests reaches

SqlValue value_of(const FieldCheck& check) {
  if (const auto* error = std::get_if<FieldError>(&check)) FAIL("unexpected " << error->type);
  return std::get<SqlValue>(check);
}

std::string error_type(const FieldCheck& check) {
  const auto* error = std::get_if<FieldError>(&check);
  return error ? error->type : std::string("<no error>");
}

std::int64_t integer_of(const ordered_json& value) {
  return std::get<std::int64_t>(value_of(check_non_negative_integer(value, kLoc)));
}

std::string integer_error(const ordered_json& value) {
  return error_type(check_non_negative_integer(value, kLoc));
}

std::int64_t boolean_of(const ordered_json& value) {
  return std::get<std::int64_t>(value_of(check_lax_boolean(value, kLoc)));
}

std::string boolean_error(const ordered_json& value) {
  return error_type(check_lax_boolean(value, kLoc));
}

}  // namespace

TEST_CASE("9.2 integers: JSON integers, whole floats and booleans") {
  CHECK(integer_of(0) == 0);
  CHECK(integer_of(42) == 42);
  CHECK(integer_of(9223372036854775807LL) == 9223372036854775807LL);
  CHECK(integer_of(ordered_json::parse("5.0")) == 5);
  CHECK(integer_of(ordered_json::parse("1e3")) == 1000);
  CHECK(integer_of(ordered_json::parse("-0.0")) == 0);
  CHECK(integer_of(ordered_json::parse("-0")) == 0);
  CHECK(integer_of(true) == 1);
  CHECK(integer_of(false) == 0);
}

TEST_CASE("9.2 integers: strings") {
  CHECK(integer_of("5") == 5);
  CHECK(integer_of(" 42 ") == 42);
  CHECK(integer_of("\t\n42\r\f\v") == 42);
  CHECK(integer_of("7.00") == 7);
  CHECK(integer_of("7.") == 7);
  CHECK(integer_of("-0") == 0);
  CHECK(integer_of("+12") == 12);
  CHECK(integer_of("0007") == 7);
  CHECK(integer_of("9223372036854775807") == 9223372036854775807LL);
  CHECK(integer_of("-0.000") == 0);
  for (const char* text : {"x", "1.5", "1e3", "", "   ", "1_000", "+", "-", ".0", "1.0.0", "0x10",
                           "1 2", "+-1", "- 1", "１", "1.05", "Infinity", "NaN"}) {
    INFO(text);
    CHECK(integer_error(text) == "int_parsing");
  }
}

TEST_CASE("9.2 integers: fractions, types and range") {
  CHECK(integer_error(ordered_json::parse("1.5")) == "int_from_float");
  CHECK(integer_error(ordered_json::parse("-1.5")) == "int_from_float");
  CHECK(integer_error(ordered_json::parse("1e-3")) == "int_from_float");
  CHECK(integer_error(nullptr) == "int_type");
  CHECK(integer_error(ordered_json::object()) == "int_type");
  CHECK(integer_error(ordered_json::array({1})) == "int_type");
  CHECK(integer_error(-1) == "greater_than_equal");
  CHECK(integer_error("-5") == "greater_than_equal");
  CHECK(integer_error(ordered_json::parse("-2.0")) == "greater_than_equal");
  CHECK(integer_error("-99999999999999999999") == "greater_than_equal");
  CHECK(integer_error(ordered_json::parse("-1e30")) == "greater_than_equal");
  CHECK(integer_error(ordered_json::parse("9223372036854775808")) == "less_than_equal");
  CHECK(integer_error(ordered_json::parse("18446744073709551615")) == "less_than_equal");
  CHECK(integer_error(ordered_json::parse("99999999999999999999999")) == "less_than_equal");
  CHECK(integer_error(ordered_json::parse("1e20")) == "less_than_equal");
  CHECK(integer_error(ordered_json::parse("9223372036854775808.0")) == "less_than_equal");
  CHECK(integer_error("9223372036854775808") == "less_than_equal");
  CHECK(integer_error(" 99999999999999999999.00 ") == "less_than_equal");
}

TEST_CASE("9.2 range errors carry ctx and the input as received") {
  const FieldCheck below = check_non_negative_integer(J("-3"), kLoc);
  const FieldError& ge = std::get<FieldError>(below);
  CHECK(ge.to_json().dump() ==
        R"({"type":"greater_than_equal","loc":["body","f"],"msg":"Input should be greater than or equal to 0","input":"-3","ctx":{"ge":0}})");
  const FieldCheck above = check_non_negative_integer(J(ordered_json::parse("1e20")), kLoc);
  CHECK(std::get<FieldError>(above).to_json().dump() ==
        R"({"type":"less_than_equal","loc":["body","f"],"msg":"Input should be less than or equal to 9223372036854775807","input":1e+20,"ctx":{"le":9223372036854775807}})");
}

TEST_CASE("read_lax_integer keeps negative values for callers with other bounds") {
  CHECK(read_lax_integer(J(-5)).kind == Kind::kValue);
  CHECK(read_lax_integer(J(-5)).value == -5);
  CHECK(read_lax_integer_text("-9223372036854775808").value == INT64_MIN);
  CHECK(read_lax_integer_text("-9223372036854775809").kind == Kind::kBelowInt64);
  CHECK(read_lax_integer_text("9223372036854775808").kind == Kind::kAboveInt64);
  CHECK(read_lax_integer_text(" 1000 ").value == 1000);
  CHECK(read_lax_integer_text("abc").kind == Kind::kUnparsable);
  CHECK(read_lax_integer(J(ordered_json::parse("-9223372036854775808.0"))).value == INT64_MIN);
}

TEST_CASE("9.3 booleans") {
  CHECK(boolean_of(true) == 1);
  CHECK(boolean_of(false) == 0);
  CHECK(boolean_of(0) == 0);
  CHECK(boolean_of(1) == 1);
  CHECK(boolean_of(ordered_json::parse("0.0")) == 0);
  CHECK(boolean_of(ordered_json::parse("1.0")) == 1);
  for (const char* text : {"1", "true", "t", "yes", "y", "on", "TRUE", "Yes", "ON", "T"}) {
    INFO(text);
    CHECK(boolean_of(text) == 1);
  }
  for (const char* text : {"0", "false", "f", "no", "n", "off", "FALSE", "No", "OFF", "F"}) {
    INFO(text);
    CHECK(boolean_of(text) == 0);
  }
  for (const char* text : {"", "2", "maybe", " true", "true ", "1.0", "yess", "nope"}) {
    INFO(text);
    CHECK(boolean_error(text) == "bool_parsing");
  }
  CHECK(boolean_error(2) == "bool_parsing");
  CHECK(boolean_error(-1) == "bool_parsing");
  CHECK(boolean_error(ordered_json::parse("0.5")) == "bool_parsing");
  CHECK(boolean_error(nullptr) == "bool_type");
  CHECK(boolean_error(ordered_json::object()) == "bool_type");
  CHECK(boolean_error(ordered_json::array()) == "bool_type");
}

TEST_CASE("9.1 strings are not converted and not trimmed") {
  CHECK(std::get<std::string>(value_of(check_string(J("  x "), kLoc, kMax))) == "  x ");
  CHECK(std::get<std::string>(value_of(check_string(J(""), kLoc, kMax))) == "");
  CHECK(error_type(check_string(J(5), kLoc, kMax)) == "string_type");
  CHECK(error_type(check_string(J(true), kLoc, kMax)) == "string_type");
  CHECK(error_type(check_string(J(nullptr), kLoc, kMax)) == "string_type");
  CHECK(error_type(check_string(J(ordered_json::array()), kLoc, kMax)) == "string_type");
  CHECK(error_type(check_non_empty_string(J(""), kLoc, kMax)) == "string_too_short");
  CHECK(std::get<std::string>(value_of(check_non_empty_string(J(" "), kLoc, kMax))) == " ");
}

TEST_CASE("string length limits count code points and name the limit") {
  CHECK(std::get<std::string>(value_of(check_string(J(std::string(8, 'a')), kLoc, 8))).size() == 8);
  const FieldCheck over = check_string(J(std::string(9, 'a')), kLoc, 8);
  REQUIRE(error_type(over) == "string_too_long");
  const FieldError& error = std::get<FieldError>(over);
  CHECK(error.loc == kLoc);
  CHECK(error.msg == "String should have at most 8 characters");
  CHECK(error.ctx == ordered_json::parse(R"({"max_length":8})"));
  CHECK(error.input == std::string(9, 'a'));
  // Eight 2-byte characters are 16 bytes but 8 characters: within the limit.
  std::string accented;
  for (int i = 0; i < 8; ++i) accented += "\xC3\xA9";
  CHECK_FALSE(is_null(value_of(check_string(J(accented), kLoc, 8))));
  CHECK(error_type(check_string(J(accented + "a"), kLoc, 8)) == "string_too_long");
  CHECK(error_type(check_non_empty_string(J(std::string(9, 'a')), kLoc, 8)) == "string_too_long");
  CHECK(error_type(check_non_empty_string(J(""), kLoc, 8)) == "string_too_short");
  CHECK(error_type(check_string(J(9), kLoc, 8)) == "string_type");
}

TEST_CASE("JSON object limits apply to the stored compact text") {
  // {"a":"xxxxx"} is 13 characters compact, more with the spaces sent.
  const ordered_json object = ordered_json::parse(R"({"a": "xxxxx"})");
  CHECK(std::get<std::string>(value_of(check_json_object(object, kLoc, "metrics_json", 13))) == R"({"a":"xxxxx"})");
  CHECK(std::get<std::string>(value_of(check_json_object(J(R"({ "a" : "xxxxx" })"), kLoc, "metrics_json", 13))) ==
        R"({"a":"xxxxx"})");
  for (const ordered_json& sent : {object, J(R"({"a":"xxxxx"})")}) {
    const FieldCheck over = check_json_object(sent, kLoc, "metrics_json", 12);
    REQUIRE(error_type(over) == "value_error");
    CHECK(std::get<FieldError>(over).msg ==
          "Value error, metrics_json must be at most 12 characters as compact JSON");
    CHECK(std::get<FieldError>(over).loc == kLoc);
  }
}

TEST_CASE("commit hashes count Unicode code points") {
  CHECK(error_type(check_commit_hash(J("abc123"), kLoc)) == "string_too_short");
  CHECK(std::get<std::string>(value_of(check_commit_hash(J("abc1234"), kLoc))) == "abc1234");
  CHECK(std::get<std::string>(value_of(check_commit_hash(J(std::string(40, 'a')), kLoc))).size() == 40);
  CHECK(error_type(check_commit_hash(J(std::string(41, 'a')), kLoc)) == "string_too_long");
  // Seven two-byte characters are 14 bytes but 7 characters.
  CHECK_FALSE(is_null(value_of(check_commit_hash(J("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), kLoc))));
  // Forty 4-byte emoji are 160 bytes, still 40 characters.
  std::string emoji;
  for (int i = 0; i < 40; ++i) emoji += "\xF0\x9F\x98\x80";
  CHECK_FALSE(is_null(value_of(check_commit_hash(J(emoji), kLoc))));
  CHECK(error_type(check_commit_hash(J(emoji + "a"), kLoc)) == "string_too_long");
  CHECK(error_type(check_commit_hash(J("\xC3\xA9\xC3\xA9\xC3\xA9"), kLoc)) == "string_too_short");
  CHECK(error_type(check_commit_hash(J(1234567), kLoc)) == "string_type");
}

TEST_CASE("timestamps: stored as sent or canonical; empty strings") {
  const char* sent = "2026-01-14 14:45:02,5+05:30";
  CHECK(std::get<std::string>(value_of(check_timestamp(J(
            sent), kLoc, EmptyTimestamp::kCountsAsNull, TimestampStorage::kAsSent))) == sent);
  CHECK(std::get<std::string>(value_of(check_timestamp(J(
            sent), kLoc, EmptyTimestamp::kCountsAsNull, TimestampStorage::kCanonical))) ==
        "2026-01-14T09:15:02.500000+00:00");
  CHECK(is_null(value_of(
      check_timestamp(J(""), kLoc, EmptyTimestamp::kCountsAsNull, TimestampStorage::kAsSent))));
  CHECK(error_type(check_timestamp(J(""), kLoc, EmptyTimestamp::kInvalid,
                                   TimestampStorage::kAsSent)) == "datetime_parsing");
  CHECK(error_type(check_timestamp(J("2026-01-14"), kLoc, EmptyTimestamp::kCountsAsNull,
                                   TimestampStorage::kAsSent)) == "datetime_parsing");
  CHECK(error_type(check_timestamp(J(1768382102), kLoc, EmptyTimestamp::kCountsAsNull,
                                   TimestampStorage::kAsSent)) == "string_type");
}

TEST_CASE("status values are normalised or refused") {
  CHECK(std::get<std::string>(value_of(check_status(J(" Completed "), kLoc))) == "success");
  const FieldCheck bad = check_status(J("done"), kLoc);
  CHECK(std::get<FieldError>(bad).msg ==
        "Value error, Status must be one of: ['running', 'success', 'failure', 'partial', "
        "'timeout', 'cancelled']");
  CHECK(std::get<FieldError>(bad).type == "value_error");
  CHECK(error_type(check_status(J(nullptr), kLoc)) == "string_type");
  CHECK(error_type(check_status(J(1), kLoc)) == "string_type");
}

TEST_CASE("9.6 JSON objects and JSON-holding strings") {
  auto text_of = [](const ordered_json& value) {
    return std::get<std::string>(value_of(check_json_object(value, kLoc, "metrics_json", kMax)));
  };
  CHECK(text_of(ordered_json::parse(R"({"a": 1, "b": [1, 2]})")) == R"({"a":1,"b":[1,2]})");
  CHECK(text_of(ordered_json::object()) == "{}");
  CHECK(text_of(R"({"pages_per_minute": 14.70, "retries": 2})") ==
        R"({"pages_per_minute":14.7,"retries":2})");
  CHECK(text_of(" {\"note\": \"relecture termin\\u00e9e\"} \n") ==
        "{\"note\":\"relecture termin\xC3\xA9" "e\"}");
  CHECK(text_of(R"({"b":1,"a":2,"b":3})") == R"({"b":3,"a":2})");
  CHECK(text_of("{}") == "{}");
  CHECK(is_null(value_of(check_json_object(J(nullptr), kLoc, "metrics_json", kMax))));
  CHECK(is_null(value_of(check_json_object(J(""), kLoc, "metrics_json", kMax))));
  CHECK(is_null(value_of(check_json_object(J(" \t\r\n"), kLoc, "metrics_json", kMax))));
  for (const char* text : {"[1]", "5", "\"{}\"", "null", "{\"a\":NaN}", "{\"a\":", "not json",
                           "{} {}", "\xEF\xBB\xBF{}"}) {
    INFO(text);
    const FieldCheck check = check_json_object(J(text), kLoc, "context_json", kMax);
    REQUIRE(error_type(check) == "value_error");
    CHECK(std::get<FieldError>(check).msg ==
          "Value error, context_json must be a JSON object or a string containing a JSON object");
    CHECK(std::get<FieldError>(check).input == text);
  }
  for (const ordered_json& value : {ordered_json(5), ordered_json(1.5), ordered_json(true),
                                    ordered_json::array(), ordered_json::array({1})}) {
    CHECK(error_type(check_json_object(value, kLoc, "metrics_json", kMax)) == "dict_type");
  }
}

TEST_CASE("9.7 commit sources are exact and case-sensitive") {
  for (const char* source : {"manual", "llm", "ci"}) {
    CHECK(std::get<std::string>(value_of(check_commit_source(J(source), kLoc, "git_commit_source"))) ==
          source);
  }
  for (const char* source : {"CI", "Manual", " ci", "", "bot"}) {
    INFO(source);
    const FieldCheck check = check_commit_source(J(source), kLoc, "git_commit_source");
    REQUIRE(error_type(check) == "value_error");
    CHECK(std::get<FieldError>(check).msg ==
          "Value error, git_commit_source must be 'manual', 'llm', or 'ci'");
  }
  CHECK(std::get<FieldError>(check_commit_source(J("x"), kLoc, "commit_source")).msg ==
        "Value error, commit_source must be 'manual', 'llm', or 'ci'");
  CHECK(error_type(check_commit_source(J(1), kLoc, "commit_source")) == "string_type");
}
