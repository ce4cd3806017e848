#pragma once
// Field tables: which key feeds which column, by which value rule, and what a
// missing or null key means. POST/batch, PATCH and associate-commit are three
// tables run through the same checker, so the order of errors is always the
// order of the table (docs/reference/http-api.md §5.2).
#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/field_error.h"
#include "core/json_view.h"
#include "core/run_columns.h"

namespace telemetry {

// Longest value, in Unicode code points, of each kind of text field (docs/reference/http-api.md §9.1).
// Labels are identifiers that become filters and Prometheus labels; references are
// URLs, paths and refs; text is free prose or a stored JSON object (stack traces,
// context): large enough for any real run, small enough that one field cannot
// turn every response or metrics scrape that carries it into megabytes.
inline constexpr std::size_t kLabelMaxLength = 256;
inline constexpr std::size_t kReferenceMaxLength = 4096;
inline constexpr std::size_t kTextMaxLength = 1048576;

enum class FieldKind {
  kLabel,               // 9.1, at most kLabelMaxLength
  kReference,           // 9.1, at most kReferenceMaxLength
  kText,                // 9.1, at most kTextMaxLength
  kNonEmptyString,      // event_id, at most kLabelMaxLength
  kCommitHash,          // 7..40 code points
  kTimestamp,           // §9.4, stored as sent, "" counts as null
  kRequiredTimestamp,   // §9.4, stored as sent, "" is datetime_parsing
  kCanonicalTimestamp,  // §9.4, stored in canonical UTC form, "" counts as null
  kStatus,              // 9.5
  kInteger,             // §9.2, >= 0
  kBoolean,             // 9.3
  kJsonObject,          // 9.6, stored compact text at most kTextMaxLength
  kCommitSource,        // 9.7
};

// What the column gets when the key is missing, or null where null is allowed.
enum class WhenAbsent {
  kRequired,  // missing: 422 `missing`
  kNull,
  kZero,
  kRunning,   // status "running"
  kNow,       // the `now` given to check_fields()
};

enum class WhenNull {
  kTypeError,  // null breaks the kind's type rule (string_type, int_type, bool_type)
  kAbsent,     // null is treated as if the key were missing
};

struct FieldRule {
  std::string_view key;
  RunColumn column;
  FieldKind kind;
  WhenAbsent when_absent;
  WhenNull when_null;
};

// A field table with its keys indexed, so a body's members are matched to
// rules in one pass instead of one search per rule.
class FieldTable {
 public:
  static constexpr std::size_t kMaxRules = 64;

  // At most kMaxRules rules with distinct keys.
  FieldTable(std::initializer_list<FieldRule> rules);
  const std::vector<FieldRule>& rules() const { return rules_; }
  // Index of the rule for `key` in rules(), or -1.
  int rule_index(std::string_view key) const;

 private:
  static constexpr std::size_t kSlots = 2 * kMaxRules;  // open addressing, at most half full
  std::vector<FieldRule> rules_;
  std::array<int, kSlots> slots_;  // rule index by key hash, -1 when empty
};

struct CheckedField {
  const FieldRule* rule;
  SqlValue value;  // final value, defaults applied
  bool provided;   // the key was present with a value that does not count as null
};

struct CheckedFields {
  std::vector<CheckedField> fields;  // one per rule, in table order (when no error)
  FieldErrors errors;                // in table order
};

// `body` holds an object's members. Errors are located at loc_prefix + [key].
CheckedFields check_fields(const JsonMembers& body, const ordered_json& loc_prefix,
                           const FieldTable& table, const std::string& now);

}  // namespace telemetry
