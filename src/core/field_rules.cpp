#include "core/field_rules.h"

#include "core/lax_values.h"
#include "core/validation_errors.h"

namespace telemetry {

namespace {

FieldCheck check_value(const FieldRule& rule, const ordered_json& value, const ordered_json& loc) {
  switch (rule.kind) {
    case FieldKind::kString: return check_string(value, loc);
    case FieldKind::kNonEmptyString: return check_non_empty_string(value, loc);
    case FieldKind::kCommitHash: return check_commit_hash(value, loc);
    case FieldKind::kTimestamp:
      return check_timestamp(value, loc, EmptyTimestamp::kCountsAsNull, TimestampStorage::kAsSent);
    case FieldKind::kRequiredTimestamp:
      return check_timestamp(value, loc, EmptyTimestamp::kInvalid, TimestampStorage::kAsSent);
    case FieldKind::kCanonicalTimestamp:
      return check_timestamp(value, loc, EmptyTimestamp::kCountsAsNull,
                             TimestampStorage::kCanonical);
    case FieldKind::kStatus: return check_status(value, loc);
    case FieldKind::kInteger: return check_non_negative_integer(value, loc);
    case FieldKind::kBoolean: return check_lax_boolean(value, loc);
    case FieldKind::kJsonObject: return check_json_object(value, loc, rule.key);
    case FieldKind::kCommitSource: return check_commit_source(value, loc, rule.key);
  }
  return string_type_error(loc, value);
}

SqlValue default_value(WhenAbsent when_absent, const std::string& now) {
  switch (when_absent) {
    case WhenAbsent::kZero: return std::int64_t{0};
    case WhenAbsent::kRunning: return std::string("running");
    case WhenAbsent::kNow: return now;
    case WhenAbsent::kRequired:
    case WhenAbsent::kNull: break;
  }
  return SqlValue{};
}

}  // namespace

CheckedFields check_fields(const ordered_json& body, const ordered_json& loc_prefix,
                           const std::vector<FieldRule>& rules, const std::string& now) {
  CheckedFields result;
  for (const FieldRule& rule : rules) {
    const ordered_json loc = child_loc(loc_prefix, rule.key);
    const auto found = body.find(rule.key);
    const bool missing = found == body.end();
    if (missing && rule.when_absent == WhenAbsent::kRequired) {
      result.errors.push_back(missing_error(loc, body));
      continue;
    }
    SqlValue value;
    const bool treat_as_absent =
        missing || (found->is_null() && rule.when_null == WhenNull::kAbsent);
    if (!treat_as_absent) {
      FieldCheck checked = check_value(rule, *found, loc);
      if (auto* error = std::get_if<FieldError>(&checked)) {
        result.errors.push_back(std::move(*error));
        continue;
      }
      value = std::move(std::get<SqlValue>(checked));
    }
    const bool provided = !is_null(value);
    if (!provided) value = default_value(rule.when_absent, now);
    result.fields.push_back(CheckedField{&rule, std::move(value), provided});
  }
  return result;
}

}  // namespace telemetry
