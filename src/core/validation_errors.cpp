#include "core/validation_errors.h"

#include <utility>

#include <fmt/format.h>

namespace telemetry {

namespace {

FieldError make(std::string type, const ordered_json& loc, std::string msg,
                const ordered_json& input) {
  return FieldError{std::move(type), loc, std::move(msg), input, std::nullopt};
}

FieldError make_with_ctx(std::string type, const ordered_json& loc, std::string msg,
                         const ordered_json& input, const char* ctx_key, std::int64_t ctx_value) {
  FieldError error = make(std::move(type), loc, std::move(msg), input);
  ordered_json ctx = ordered_json::object();
  ctx[ctx_key] = ctx_value;
  error.ctx = std::move(ctx);
  return error;
}

// pydantic's wording: "1 character" but "7 characters".
std::string characters(std::int64_t n) {
  return fmt::format("{} character{}", n, n == 1 ? "" : "s");
}

}  // namespace

ordered_json child_loc(const ordered_json& loc, const ordered_json& field) {
  ordered_json out = loc;
  out.push_back(field);
  return out;
}

FieldError missing_error(const ordered_json& loc, const ordered_json& container) {
  return make("missing", loc, "Field required", container);
}

FieldError model_attributes_type_error(const ordered_json& loc, const ordered_json& input) {
  return make("model_attributes_type", loc,
              "Input should be a valid dictionary or object to extract fields from", input);
}

FieldError list_type_error(const ordered_json& loc, const ordered_json& input) {
  return make("list_type", loc, "Input should be a valid list", input);
}

FieldError string_type_error(const ordered_json& loc, const ordered_json& input) {
  return make("string_type", loc, "Input should be a valid string", input);
}

FieldError string_too_short_error(const ordered_json& loc, const ordered_json& input,
                                  std::int64_t min_length) {
  return make_with_ctx("string_too_short", loc,
                       "String should have at least " + characters(min_length), input,
                       "min_length", min_length);
}

FieldError string_too_long_error(const ordered_json& loc, const ordered_json& input,
                                 std::int64_t max_length) {
  return make_with_ctx("string_too_long", loc,
                       "String should have at most " + characters(max_length), input,
                       "max_length", max_length);
}

FieldError int_type_error(const ordered_json& loc, const ordered_json& input) {
  return make("int_type", loc, "Input should be a valid integer", input);
}

FieldError int_parsing_error(const ordered_json& loc, const ordered_json& input) {
  return make("int_parsing", loc,
              "Input should be a valid integer, unable to parse string as an integer", input);
}

FieldError int_from_float_error(const ordered_json& loc, const ordered_json& input) {
  return make("int_from_float", loc,
              "Input should be a valid integer, got a number with a fractional part", input);
}

FieldError greater_than_equal_error(const ordered_json& loc, const ordered_json& input,
                                    std::int64_t ge) {
  return make_with_ctx("greater_than_equal", loc,
                       fmt::format("Input should be greater than or equal to {}", ge), input,
                       "ge", ge);
}

FieldError less_than_equal_error(const ordered_json& loc, const ordered_json& input,
                                 std::int64_t le) {
  return make_with_ctx("less_than_equal", loc,
                       fmt::format("Input should be less than or equal to {}", le), input, "le",
                       le);
}

FieldError bool_type_error(const ordered_json& loc, const ordered_json& input) {
  return make("bool_type", loc, "Input should be a valid boolean", input);
}

FieldError bool_parsing_error(const ordered_json& loc, const ordered_json& input) {
  return make("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input",
              input);
}

FieldError dict_type_error(const ordered_json& loc, const ordered_json& input) {
  return make("dict_type", loc, "Input should be a valid dictionary", input);
}

FieldError datetime_parsing_error(const ordered_json& loc, const ordered_json& input) {
  return make("datetime_parsing", loc, "Input should be a valid ISO 8601 date-time", input);
}

FieldError value_error(const ordered_json& loc, const ordered_json& input, std::string_view text) {
  return make("value_error", loc, fmt::format("Value error, {}", text), input);
}

}  // namespace telemetry
