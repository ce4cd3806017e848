// decode_common_json is a shortcut in front of nlohmann: whatever it accepts
// must be exactly what nlohmann builds, and everything else must be declined
// so that nlohmann (and its error messages) decide.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/json_body.h"
#include "core/json_fast_decode.h"

using telemetry::decode_common_json;
using telemetry::FlatJsonObject;
using telemetry::JsonView;
using telemetry::object_to_json;
using telemetry::ordered_json;
using telemetry::same_json_document;

namespace {

// FlatJsonObject's invariant: it takes exactly the objects the quick decoder
// takes, and its members are views of that document's members.
void check_flat_agrees(const std::string& text, const std::optional<ordered_json>& quick) {
  FlatJsonObject flat;
  const bool taken = flat.decode(text);
  CHECK(taken == (quick.has_value() && quick->is_object()));
  if (!taken || !quick) return;
  REQUIRE(flat.members().size() == quick->size());
  std::size_t i = 0;
  for (const auto& [key, value] : quick->items()) {
    const telemetry::JsonMember& member = flat.members()[i++];
    CHECK(member.key == key);
    CHECK(member.value.type() == JsonView(value).type());
    CHECK(same_json_document(member.value.to_json(), value));
  }
  CHECK(same_json_document(object_to_json(flat.members()), *quick));
}

// Accepted, and identical to nlohmann's document.
void check_accepted(const std::string& text) {
  INFO(text);
  const auto quick = decode_common_json(text);
  REQUIRE(quick.has_value());
  const ordered_json reference = ordered_json::parse(text);
  CHECK(same_json_document(*quick, reference));
  CHECK(quick->dump() == reference.dump());
  check_flat_agrees(text, quick);
}

void check_declined(const std::string& text) {
  INFO(text);
  CHECK_FALSE(decode_common_json(text).has_value());
  check_flat_agrees(text, std::nullopt);
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

TEST_CASE("FlatJsonObject views a buffer line's members without a DOM") {
  const std::string line =
      R"({"event_id": "e-1", "n": 7, "neg": -2, "f": 1.5, "t": true, "z": null, )"
      R"("esc": "a\"b\u00e9", )"
      "\"raw\": \"caf\xC3\xA9\", "
      R"("metrics_json": {"k": [1, "x"]}, "list": [], )"
      R"("second_esc": "\n\t"})";
  FlatJsonObject flat;
  REQUIRE(flat.decode(line));
  const auto& m = flat.members();
  REQUIRE(m.size() == 11);
  CHECK(m[0].key == "event_id");
  CHECK(m[0].value.string_value() == "e-1");
  // Strings without escapes are views of the line itself: no copy.
  CHECK(m[0].value.string_value().data() >= line.data());
  CHECK(m[0].value.string_value().data() < line.data() + line.size());
  CHECK(m[1].value.type() == JsonView::Type::kUnsigned);
  CHECK(m[1].value.unsigned_value() == 7);
  CHECK(m[2].value.type() == JsonView::Type::kInteger);
  CHECK(m[2].value.integer_value() == -2);
  CHECK(m[3].value.type() == JsonView::Type::kFloat);
  CHECK(m[3].value.float_value() == 1.5);
  CHECK(m[4].value.is_boolean());
  CHECK(m[4].value.boolean_value());
  CHECK(m[5].value.is_null());
  // Escaped strings are decoded, and stay valid while later ones are decoded.
  CHECK(m[6].value.string_value() == "a\"b\xC3\xA9");
  CHECK(m[7].value.string_value() == "caf\xC3\xA9");
  CHECK(m[10].value.string_value() == "\n\t");
  // Objects and arrays are DOM nodes.
  REQUIRE(m[8].value.is_object());
  CHECK(m[8].value.container().dump() == R"({"k":[1,"x"]})");
  CHECK(m[9].value.type() == JsonView::Type::kArray);
  CHECK(m[9].value.container().empty());
}

TEST_CASE("FlatJsonObject is reusable and declines what is not a plain object") {
  FlatJsonObject flat;
  REQUIRE(flat.decode(R"({"a": "\u0041", "b": 1})"));
  CHECK(flat.members().size() == 2);
  REQUIRE(flat.decode(R"({"c": "\u0043"})"));
  REQUIRE(flat.members().size() == 1);
  CHECK(flat.members()[0].key == "c");
  CHECK(flat.members()[0].value.string_value() == "C");
  REQUIRE(flat.decode("{}"));
  CHECK(flat.members().empty());
  for (const char* text : {"[1]", "\"s\"", "7", "null", R"({"a": 1, "a": 2})", R"({"a": 1} {"b": 2})",
                           R"({"a": 1234567890123456789})", R"({"a": "\ud800"})", "{\"a\": 1"}) {
    INFO(text);
    CHECK_FALSE(flat.decode(text));
  }
  // The member limit is the quick decoder's.
  std::string widest = "{";
  for (std::size_t i = 0; i < telemetry::kMaxFastMembers; ++i) widest += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":{}";
  CHECK(flat.decode(widest + "}"));
  CHECK_FALSE(flat.decode(widest + ",\"one_more\":1}"));
}
