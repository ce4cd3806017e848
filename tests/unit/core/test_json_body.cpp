#include <catch2/catch.hpp>

#include <string>

#include "core/json_body.h"

using namespace telemetry;

namespace {

ordered_json parse_ok(const std::string& text) {
  auto result = parse_json_strict(text);
  INFO(text);
  REQUIRE(std::holds_alternative<ordered_json>(result));
  return std::get<ordered_json>(result);
}

JsonSyntaxError parse_fail(const std::string& text) {
  auto result = parse_json_strict(text);
  INFO(text);
  REQUIRE(std::holds_alternative<JsonSyntaxError>(result));
  return std::get<JsonSyntaxError>(result);
}

}  // namespace

TEST_CASE("parse_json_strict accepts JSON surrounded by JSON whitespace") {
  CHECK(parse_ok(" \t\r\n{\"a\":1} \n") == ordered_json{{"a", 1}});
  CHECK(parse_ok("[]") == ordered_json::array());
  CHECK(parse_ok("\"x\"") == "x");
  CHECK(parse_ok("null").is_null());
  CHECK(parse_ok("12").get<int>() == 12);
}

TEST_CASE("parse_json_strict keeps member order") {
  const ordered_json value = parse_ok(R"({"z":1,"a":2,"m":3})");
  CHECK(value.dump() == R"({"z":1,"a":2,"m":3})");
}

TEST_CASE("a repeated key keeps its first position and its last value") {
  const ordered_json value = parse_ok(R"({"b":1,"a":2,"b":3})");
  CHECK(compact_json(value) == R"({"b":3,"a":2})");
  const ordered_json nested = parse_ok(R"({"o":{"x":1,"y":2,"x":{"z":0}},"o2":1})");
  CHECK(compact_json(nested) == R"({"o":{"x":{"z":0},"y":2},"o2":1})");
}

TEST_CASE("json_invalid offset: the body length when the text ends early") {
  const JsonSyntaxError error = parse_fail(R"({"event_id":"abc")");
  CHECK(error.offset == 17);
  CHECK(error.message.find("unexpected end of input") != std::string::npos);
  CHECK(parse_fail(R"({"a":)").offset == 5);
  CHECK(parse_fail(R"("abc)").offset == 4);
  CHECK(parse_fail("tru").offset == 3);
  CHECK(parse_fail("").offset == 0);
  CHECK(parse_fail("   ").offset == 3);
}

TEST_CASE("json_invalid offset: where the offending byte or token starts") {
  CHECK(parse_fail(R"({"a":1,})").offset == 7);
  CHECK(parse_fail("[1,]").offset == 3);
  CHECK(parse_fail(R"({"a" 1})").offset == 5);
  CHECK(parse_fail(R"({"a":1 "b":2})").offset == 7);
  CHECK(parse_fail("[true false]").offset == 6);
  CHECK(parse_fail("[01]").offset == 2);
  CHECK(parse_fail("[tx]").offset == 2);
  CHECK(parse_fail(std::string("{\"a\":\"\x01\"}")).offset == 6);
}

TEST_CASE("trailing non-whitespace after the value is invalid") {
  CHECK(parse_fail("{} 1").offset == 3);
  CHECK(parse_fail(R"({} "x")").offset == 3);
  CHECK(parse_fail("[1] x").offset == 4);
  CHECK(parse_fail("{}{}").offset == 2);
}

TEST_CASE("a leading UTF-8 BOM is invalid") {
  const JsonSyntaxError error = parse_fail("\xEF\xBB\xBF{}");
  CHECK(error.offset == 0);
  CHECK_FALSE(error.message.empty());
  parse_fail("\xEF\xBB{}");
  // A BOM after leading whitespace is just an invalid byte.
  CHECK(parse_fail(" \xEF\xBB\xBF{}").offset == 1);
}

TEST_CASE("NaN and Infinity are invalid JSON") {
  CHECK(parse_fail("NaN").offset == 0);
  CHECK(parse_fail(R"({"a":NaN})").offset == 5);
  CHECK(parse_fail("[Infinity]").offset == 1);
  CHECK(parse_fail("-Infinity").offset == 1);
  CHECK(parse_fail("1e400").offset == 0);
}

TEST_CASE("invalid UTF-8 is invalid JSON") {
  CHECK(parse_fail("[\"\xFF\"]").offset == 2);
  CHECK(parse_fail("[\"\xC3\"]").offset == 3);
  CHECK(parse_fail("\xC3\xA9").offset == 0);
  CHECK(parse_ok("[\"\xC3\xA9\"]")[0] == "\xC3\xA9");
}

TEST_CASE("nesting up to 256 levels is accepted, deeper is invalid") {
  CHECK(parse_ok(std::string(256, '[') + std::string(256, ']')).is_array());
  const JsonSyntaxError error = parse_fail(std::string(257, '[') + std::string(257, ']'));
  CHECK(error.offset == 256);
  CHECK(error.message.find("256") != std::string::npos);
  // Objects count as levels too, and brackets inside strings do not.
  std::string mixed = R"({"a":"[[[","b":)";
  const std::size_t first_bracket = mixed.size();
  mixed += std::string(256, '[') + std::string(256, ']') + "}";
  CHECK(parse_fail(mixed).offset == first_bracket + 255);
  std::string objects;
  for (int i = 0; i < 256; ++i) objects += R"({"k":)";
  objects += "1" + std::string(256, '}');
  CHECK(parse_ok(objects).is_object());
}

TEST_CASE("a million opening brackets fail cleanly") {
  const JsonSyntaxError error = parse_fail(std::string(1000000, '['));
  CHECK(error.offset == 256);
  // A syntax error before the excess depth is reported first.
  CHECK(parse_fail("[1 " + std::string(1000, '[')).offset == 3);
}

TEST_CASE("json_invalid_error has the 5.2 shape") {
  const FieldError error = json_invalid_error(JsonSyntaxError{17, "unexpected end of input"});
  CHECK(error.to_json().dump() ==
        R"({"type":"json_invalid","loc":["body",17],"msg":"JSON decode error","input":{},)"
        R"("ctx":{"error":"unexpected end of input"}})");
  CHECK(validation_error_body({error}).dump() ==
        R"({"detail":[{"type":"json_invalid","loc":["body",17],"msg":"JSON decode error",)"
        R"("input":{},"ctx":{"error":"unexpected end of input"}}]})");
}

TEST_CASE("the parser message carries no nlohmann exception prefix") {
  const JsonSyntaxError error = parse_fail(R"({"a":)");
  CHECK(error.message.find("[json.exception") == std::string::npos);
  CHECK(error.message.find("unexpected end of input") != std::string::npos);
}

TEST_CASE("compact_json writes numbers as 9.6 says") {
  CHECK(compact_json(parse_ok("1e3")) == "1000.0");
  CHECK(compact_json(parse_ok("14.70")) == "14.7");
  CHECK(compact_json(parse_ok("1e20")) == "1e+20");
  CHECK(compact_json(parse_ok("0.00001")) == "1e-05");
  CHECK(compact_json(parse_ok("5.0")) == "5.0");
  CHECK(compact_json(parse_ok("9223372036854775807")) == "9223372036854775807");
  CHECK(compact_json(parse_ok("-9223372036854775808")) == "-9223372036854775808");
  CHECK(compact_json(parse_ok("18446744073709551615")) == "18446744073709551615");
  CHECK(compact_json(parse_ok("0.1")) == "0.1");
}

TEST_CASE("compact_json: no whitespace, UTF-8 kept, minimal escapes") {
  const ordered_json value =
      parse_ok("{ \"note\" : \"relecture termin\\u00e9e\" , \"q\":\"a\\\"b\\\\c\\n\\/\", \"e\":{} }");
  CHECK(compact_json(value) == "{\"note\":\"relecture termin\xC3\xA9" "e\",\"q\":\"a\\\"b\\\\c\\n/\",\"e\":{}}");
  CHECK(compact_json(parse_ok("{}")) == "{}");
  CHECK(compact_json(parse_ok("[1, 2 ,\t3]")) == "[1,2,3]");
  CHECK(compact_json(parse_ok(R"("\u0001")")) == R"("\u0001")");
  CHECK(compact_json(parse_ok(R"("\ud83d\ude00")")) == "\"\xF0\x9F\x98\x80\"");
}
