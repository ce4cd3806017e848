#pragma once
// A quick decoder for the JSON that clients actually send: well-formed
// objects, arrays, strings, numbers, true/false/null. It exists for speed
// (ingest-buffer decodes millions of lines; nlohmann's parser was most of
// the cost) and is only ever a shortcut in front of parse_json_strict's
// nlohmann path:
//
//   Invariant: when it returns a value, nlohmann's strict parse of the same
//   text succeeds and builds the same document (same member order, same
//   number types: unsigned for non-negative integers, signed for negative).
//
// Whenever that cannot be promised cheaply it returns nullopt and the caller
// parses with nlohmann, which then also produces the contract's error
// messages: any syntax error, integers of 19 digits or more, numbers that
// overflow or underflow a double, repeated keys, objects of more than kMaxFastMembers members,
// nesting deeper than kMaxFastDepth, invalid UTF-8 or escapes.
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/field_error.h"

namespace telemetry {

constexpr std::size_t kMaxFastMembers = 64;
constexpr std::size_t kMaxFastDepth = 32;

std::optional<ordered_json> decode_common_json(std::string_view text);

// The invariant's notion of "the same document": equal values, same types
// (nlohmann's == treats 5u and 5 as equal; the stored text does not), same
// member order. For tests and the fuzz target.
bool same_json_document(const ordered_json& a, const ordered_json& b);

}  // namespace telemetry
