#pragma once
// Constructors for the 422 error types of docs/reference/http-api.md §5.2. Every type's
// message and ctx are written here once, so HTTP, batch and buffer files
// cannot drift apart.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/field_error.h"

namespace telemetry {

// `loc` with `field` appended (a string key or an array index).
ordered_json child_loc(const ordered_json& loc, const ordered_json& field);

FieldError missing_error(const ordered_json& loc, const ordered_json& container);
FieldError model_attributes_type_error(const ordered_json& loc, const ordered_json& input);
FieldError list_type_error(const ordered_json& loc, const ordered_json& input);
FieldError string_type_error(const ordered_json& loc, const ordered_json& input);
FieldError string_too_short_error(const ordered_json& loc, const ordered_json& input,
                                  std::int64_t min_length);
FieldError string_too_long_error(const ordered_json& loc, const ordered_json& input,
                                 std::int64_t max_length);
FieldError int_type_error(const ordered_json& loc, const ordered_json& input);
FieldError int_parsing_error(const ordered_json& loc, const ordered_json& input);
FieldError int_from_float_error(const ordered_json& loc, const ordered_json& input);
FieldError greater_than_equal_error(const ordered_json& loc, const ordered_json& input,
                                    std::int64_t ge);
FieldError less_than_equal_error(const ordered_json& loc, const ordered_json& input,
                                 std::int64_t le);
FieldError bool_type_error(const ordered_json& loc, const ordered_json& input);
FieldError bool_parsing_error(const ordered_json& loc, const ordered_json& input);
FieldError dict_type_error(const ordered_json& loc, const ordered_json& input);
FieldError datetime_parsing_error(const ordered_json& loc, const ordered_json& input);
// msg is "Value error, " + text.
FieldError value_error(const ordered_json& loc, const ordered_json& input, std::string_view text);

}  // namespace telemetry
