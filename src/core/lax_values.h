#pragma once
// The value rules of docs/reference/http-api.md §9, one function per rule, shared by
// POST, batch, buffer lines, PATCH and associate-commit (and, for integers,
// the query parameters). Each check_* receives a view of one field's JSON
// value (a DOM node or a buffer line's flat member, core/json_view.h) and
// returns the SQL value to store or the 422 error for that field. A returned
// monostate means "counts as null" (`""` for an optional timestamp, an empty
// JSON-holding string); what null then means is the caller's field table's business.
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/field_error.h"
#include "core/field_loc.h"
#include "core/json_view.h"
#include "core/run_columns.h"

namespace telemetry {

using FieldCheck = std::variant<SqlValue, FieldError>;

// 9.2 before any range rule: what a JSON value reads as when an integer is wanted.
struct IntegerReading {
  enum class Kind {
    kValue,         // `value` holds the integer
    kBelowInt64,    // an integer smaller than int64's minimum
    kAboveInt64,    // an integer larger than 9223372036854775807
    kWrongType,     // null, object, array: int_type
    kUnparsable,    // a string outside the 9.2 grammar: int_parsing
    kFraction,      // a number with a non-zero fraction: int_from_float
  };
  Kind kind = Kind::kWrongType;
  std::int64_t value = 0;
};
IntegerReading read_lax_integer(const JsonView& value);
// The 9.2 string grammar alone (query parameters arrive as text).
IntegerReading read_lax_integer_text(std::string_view text);

// More than `max_length` code points (§9.1 counts characters, not bytes); also
// for query parameters, which arrive as text.
bool longer_than(std::string_view utf8, std::size_t max_length);

// 9.2 with the range 0..9223372036854775807 of every integer field.
FieldCheck check_non_negative_integer(const JsonView& value, const FieldLoc& loc);
// §9.3, stored as 0/1.
FieldCheck check_lax_boolean(const JsonView& value, const FieldLoc& loc);
// 9.1: a string of at most `max_length` code points (string_too_long beyond).
FieldCheck check_string(const JsonView& value, const FieldLoc& loc, std::size_t max_length);
// event_id: a string of 1 to `max_length` code points.
FieldCheck check_non_empty_string(const JsonView& value, const FieldLoc& loc,
                                  std::size_t max_length);
// commit_hash: 7 to 40 Unicode code points.
FieldCheck check_commit_hash(const JsonView& value, const FieldLoc& loc);

enum class EmptyTimestamp { kCountsAsNull, kInvalid };
enum class TimestampStorage { kAsSent, kCanonical };
// 9.4 for a body field.
FieldCheck check_timestamp(const JsonView& value, const FieldLoc& loc,
                           EmptyTimestamp empty, TimestampStorage storage);
// §9.5, stored normalised.
FieldCheck check_status(const JsonView& value, const FieldLoc& loc);
// §9.6; `field` names the field in the value_error text. The stored compact
// text may hold at most `max_length` code points.
FieldCheck check_json_object(const JsonView& value, const FieldLoc& loc,
                             std::string_view field, std::size_t max_length);
// §9.7; `field` is git_commit_source or commit_source, named in the value_error text.
FieldCheck check_commit_source(const JsonView& value, const FieldLoc& loc,
                               std::string_view field);

}  // namespace telemetry
