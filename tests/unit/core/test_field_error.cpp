#include <catch2/catch.hpp>

#include "core/field_error.h"
#include "core/validation_errors.h"

using namespace telemetry;

TEST_CASE("FieldError::to_json orders keys type, loc, msg, input, ctx") {
  FieldError error{"greater_than_equal", ordered_json::array({"body", "items_failed"}),
                   "Input should be greater than or equal to 0", -2, ordered_json{{"ge", 0}}};
  CHECK(error.to_json().dump() ==
        R"({"type":"greater_than_equal","loc":["body","items_failed"],)"
        R"("msg":"Input should be greater than or equal to 0","input":-2,"ctx":{"ge":0}})");
  error.ctx.reset();
  CHECK(error.to_json().dump().find("ctx") == std::string::npos);
}

TEST_CASE("to_reason names the last element of loc") {
  CHECK(missing_error(ordered_json::array({"body", "event_id"}), ordered_json::object())
            .to_reason() == "event_id: Field required");
  CHECK(string_type_error(ordered_json::array({"body", 3, "run_id"}), 5).to_reason() ==
        "run_id: Input should be a valid string");
  CHECK(model_attributes_type_error(ordered_json::array({"body"}), 1).to_reason() ==
        "body: Input should be a valid dictionary or object to extract fields from");
  CHECK(model_attributes_type_error(ordered_json::array({"body", 2}), 1).to_reason() ==
        "2: Input should be a valid dictionary or object to extract fields from");
}

TEST_CASE("join_reasons joins with '; ' and validation_error_body wraps in detail") {
  const ordered_json container = ordered_json::object();
  const FieldErrors errors{
      missing_error(ordered_json::array({"body", "event_id"}), container),
      value_error(ordered_json::array({"body", "status"}), "bogus",
                  "Status must be one of: ['running', 'success', 'failure', 'partial', "
                  "'timeout', 'cancelled']"),
  };
  CHECK(join_reasons(errors) ==
        "event_id: Field required; status: Value error, Status must be one of: ['running', "
        "'success', 'failure', 'partial', 'timeout', 'cancelled']");
  CHECK(join_reasons({}) == "");
  CHECK(validation_error_body({}).dump() == R"({"detail":[]})");
  CHECK(validation_error_body(errors).dump() ==
        R"({"detail":[{"type":"missing","loc":["body","event_id"],"msg":"Field required","input":{}},)"
        R"({"type":"value_error","loc":["body","status"],"msg":"Value error, Status must be one of: )"
        R"(['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']","input":"bogus"}]})");
}

TEST_CASE("every error type of 5.2 has its exact message and ctx") {
  const ordered_json loc = ordered_json::array({"body", "f"});
  struct Expected {
    FieldError error;
    const char* type;
    const char* msg;
    const char* ctx;  // dump of ctx, or nullptr when absent
  };
  const Expected cases[] = {
      {missing_error(loc, 1), "missing", "Field required", nullptr},
      {model_attributes_type_error(loc, 1), "model_attributes_type",
       "Input should be a valid dictionary or object to extract fields from", nullptr},
      {list_type_error(loc, 1), "list_type", "Input should be a valid list", nullptr},
      {string_type_error(loc, 1), "string_type", "Input should be a valid string", nullptr},
      {string_too_short_error(loc, 1, 1), "string_too_short",
       "String should have at least 1 character", R"({"min_length":1})"},
      {string_too_short_error(loc, 1, 7), "string_too_short",
       "String should have at least 7 characters", R"({"min_length":7})"},
      {string_too_long_error(loc, 1, 40), "string_too_long",
       "String should have at most 40 characters", R"({"max_length":40})"},
      {int_type_error(loc, 1), "int_type", "Input should be a valid integer", nullptr},
      {int_parsing_error(loc, 1), "int_parsing",
       "Input should be a valid integer, unable to parse string as an integer", nullptr},
      {int_from_float_error(loc, 1), "int_from_float",
       "Input should be a valid integer, got a number with a fractional part", nullptr},
      {greater_than_equal_error(loc, 1, 0), "greater_than_equal",
       "Input should be greater than or equal to 0", R"({"ge":0})"},
      {less_than_equal_error(loc, 1, 9223372036854775807LL), "less_than_equal",
       "Input should be less than or equal to 9223372036854775807",
       R"({"le":9223372036854775807})"},
      {bool_type_error(loc, 1), "bool_type", "Input should be a valid boolean", nullptr},
      {bool_parsing_error(loc, 1), "bool_parsing",
       "Input should be a valid boolean, unable to interpret input", nullptr},
      {dict_type_error(loc, 1), "dict_type", "Input should be a valid dictionary", nullptr},
      {datetime_parsing_error(loc, 1), "datetime_parsing",
       "Input should be a valid ISO 8601 date-time", nullptr},
      {value_error(loc, 1, "x must be y"), "value_error", "Value error, x must be y", nullptr},
  };
  for (const Expected& expected : cases) {
    INFO(expected.type);
    CHECK(expected.error.type == expected.type);
    CHECK(expected.error.msg == expected.msg);
    CHECK(expected.error.loc == loc);
    CHECK(expected.error.input == 1);
    if (expected.ctx) {
      REQUIRE(expected.error.ctx.has_value());
      CHECK(expected.error.ctx->dump() == expected.ctx);
    } else {
      CHECK_FALSE(expected.error.ctx.has_value());
    }
  }
}

TEST_CASE("child_loc appends keys and indexes") {
  CHECK(child_loc(ordered_json::array({"body"}), "x").dump() == R"(["body","x"])");
  CHECK(child_loc(child_loc(ordered_json::array({"body"}), 4), "status").dump() ==
        R"(["body",4,"status"])");
}
