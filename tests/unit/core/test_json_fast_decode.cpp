// decode_common_json is a shortcut in front of nlohmann: whatever it accepts
// must be exactly what nlohmann builds, and everything else must be declined
// so that nlohmann (and its error messages) decide.
#include <catch2/catch.hpp>

#include <string>

#include "core/json_body.h"
#include "core/json_fast_decode.h"

using telemetry::decode_common_json;
using telemetry::ordered_json;
using telemetry::same_json_document;

namespace {

// Accepted, and identical to nlohmann's document.
void check_accepted(const std::string& text) {
  INFO(text);
  const auto quick = decode_common_json(text);
  REQUIRE(quick.has_value());
  const ordered_json reference = ordered_json::parse(text);
  CHECK(same_json_document(*quick, reference));
  CHECK(quick->dump() == reference.dump());
}

void check_declined(const std::string& text) {
  INFO(text);
  CHECK_FALSE(decode_common_json(text).has_value());
}

}  // namespace

TEST_CASE("decode_common_json builds nlohmann's document for common JSON") {
  check_accepted(R"({"run_id": "r1", "items_discovered": 0, "duration_ms": null, "api_posted": false, "ok": true})");
  check_accepted(R"(  {"a":{"b":[1,-2,{"c":"d"}],"e":[]},"f":{}}  )");
  check_accepted("\t\r\n[1, 2, 3]\n");
  check_accepted(R"("just a string")");
  check_accepted("0");
  check_accepted("-0");
  check_accepted("123456789012345678");
  check_accepted("-123456789012345678");
  check_accepted("null");
  check_accepted(R"({"escapes": "\" \\ \/ \b \f \n \r \t"})");
  check_accepted(R"({"bmp": "caf\u00e9 \u20AC \u0000 end"})");
  check_accepted(R"({"pair": "\ud83d\ude00", "raw": "é € 😀"})");
  check_accepted(R"({"metrics_json": "{\"tokens\": 12, \"model\": \"x\"}"})");
  // Numbers with a fraction or exponent: the same double as nlohmann's strtod.
  for (const char* text : {"1.5", "-0.0", "1e3", "1E+3", "2.5e-3", "0.1", "14.7", "-123.456e7",
                           "1.7976931348623157e308", "4.9406564584124654e-324", "123456789012345678901234567890.0"}) {
    check_accepted(text);
  }
}

TEST_CASE("decode_common_json keeps nlohmann's number types") {
  const auto positive = decode_common_json("[5, -5, 0, -0]");
  REQUIRE(positive.has_value());
  CHECK((*positive)[0].is_number_unsigned());
  CHECK((*positive)[1].is_number_integer());
  CHECK_FALSE((*positive)[1].is_number_unsigned());
  CHECK((*positive)[2].is_number_unsigned());
  CHECK_FALSE((*positive)[3].is_number_unsigned());
  CHECK_FALSE(same_json_document(ordered_json(5u), ordered_json(5)));
}

TEST_CASE("decode_common_json declines what nlohmann must decide") {
  // Syntax errors: nlohmann reports them with the contract's messages.
  for (const char* text : {"", " ", "{", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}",
                           "01", "-", "1 2", "{\"a\":1} x", "tru", "nul", "\"open", "{\"a\":1}}", "'x'",
                           "NaN", "Infinity", "-Infinity", "+1", "1.", ".5", "-.5", "1.e3", "1e", "1e+",
                           "01.5", "0x10", "1.5.5"}) {
    check_declined(text);
  }
  // Valid JSON (or nlohmann's "number overflow") left to nlohmann on purpose.
  check_declined("1e999");   // nlohmann: number overflow
  check_declined("1e-400");  // underflows: nlohmann's strtod gives 0.0
  check_declined("1234567890123456789");      // 19 digits: could exceed int64
  check_declined("18446744073709551616");     // beyond uint64: nlohmann makes it a float
  check_declined(R"({"a": 1, "a": 2})");      // repeated key: first position, last value
  check_declined("\xEF\xBB\xBF{}");           // BOM
  check_declined(R"({"lone": "\ud83d"})");    // lone high surrogate
  check_declined(R"({"lone": "\ude00"})");    // lone low surrogate
  check_declined(R"({"bad": "\x"})");         // unknown escape
  check_declined(R"({"bad": "\u12"})");       // short \u escape
  check_declined("{\"ctl\": \"a\x01b\"}");    // raw control character
  check_declined("{\"utf8\": \"\xC3\x28\"}");  // invalid UTF-8
  check_declined("{\"utf8\": \"\xED\xA0\x80\"}");  // UTF-8-encoded surrogate
  std::string deep(40, '[');
  deep += std::string(40, ']');
  check_declined(deep);
  std::string wide = "{";
  for (int i = 0; i < 65; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  wide += "}";
  check_declined(wide);
}

TEST_CASE("inputs the quick decoder declines still parse, or fail, through nlohmann") {
  // Declined inputs still parse (or fail) through nlohmann as before.
  const auto duplicate = telemetry::parse_json_strict(R"({"a": 1, "b": 2, "a": 3})");
  REQUIRE(std::holds_alternative<ordered_json>(duplicate));
  CHECK(std::get<ordered_json>(duplicate).dump() == R"({"a":3,"b":2})");
  const auto fraction = telemetry::parse_json_strict("[1.5]");
  REQUIRE(std::holds_alternative<ordered_json>(fraction));
  CHECK(std::get<ordered_json>(fraction)[0].get<double>() == 1.5);
  const auto broken = telemetry::parse_json_strict("{\"a\":1,}");
  REQUIRE(std::holds_alternative<telemetry::JsonSyntaxError>(broken));
}
