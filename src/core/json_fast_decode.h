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
#include <string>
#include <string_view>
#include <vector>

#include "core/field_error.h"
#include "core/json_view.h"

namespace telemetry {

constexpr std::size_t kMaxFastMembers = 64;
constexpr std::size_t kMaxFastDepth = 32;

std::optional<ordered_json> decode_common_json(std::string_view text);

// A top-level object decoded without building a DOM for its scalar members
// (ingest-buffer's lines: 47 members, nearly all strings, numbers and nulls).
// Keys and strings are views of the text, or of this object's buffer when
// they hold escapes; numbers and literals live in the views; only nested
// objects and arrays become DOM nodes, owned here.
//
//   Invariant: decode(text) succeeds exactly when decode_common_json(text)
//   returns an object, and members() then describe that object as
//   members_of() would (same order, keys, types and values).
//
// Reusable: decode() invalidates the previous members; `text` must outlive them.
class FlatJsonObject {
 public:
  bool decode(std::string_view text);
  const JsonMembers& members() const { return members_; }

 private:
  JsonMembers members_;
  std::string unescaped_;             // decoded strings that held escapes
  std::vector<ordered_json> nested_;  // member values that are objects or arrays
};

// The invariant's notion of "the same document": equal values, same types
// (nlohmann's == treats 5u and 5 as equal; the stored text does not), same
// member order. For tests and the fuzz target.
bool same_json_document(const ordered_json& a, const ordered_json& b);

}  // namespace telemetry
