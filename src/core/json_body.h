#pragma once
// Strict JSON decoding of request bodies and buffer lines (docs/reference/http-api.md §4):
// UTF-8 only, no BOM, no NaN/Infinity, no trailing data, nesting <= 256.
// Objects keep member order; a repeated key keeps its first position and last value.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "core/field_error.h"

namespace telemetry {

struct JsonSyntaxError {
  std::size_t offset;   // 0-based byte offset where parsing failed (text length if it ended early)
  std::string message;  // parser's message, for ctx.error / quarantine reasons
};

std::variant<ordered_json, JsonSyntaxError> parse_json_strict(std::string_view text);

// The 422 `json_invalid` error for a syntax error (loc ["body", offset]).
FieldError json_invalid_error(const JsonSyntaxError& error);

// Compact text as stored in metrics_json/context_json (docs/reference/http-api.md §9.6).
std::string compact_json(const ordered_json& value);

}  // namespace telemetry
