#include "core/field_rules.h"

#include <array>
#include <cstdint>
#include <stdexcept>

#include "core/key_hash.h"
#include "core/lax_values.h"
#include "core/validation_errors.h"

namespace telemetry {

namespace {

FieldCheck check_value(const FieldRule& rule, const JsonView& value, const FieldLoc& loc) {
  switch (rule.kind) {
    case FieldKind::kLabel: return check_string(value, loc, kLabelMaxLength);
    case FieldKind::kReference: return check_string(value, loc, kReferenceMaxLength);
    case FieldKind::kText: return check_string(value, loc, kTextMaxLength);
    case FieldKind::kNonEmptyString: return check_non_empty_string(value, loc, kLabelMaxLength);
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
    case FieldKind::kJsonObject: return check_json_object(value, loc, rule.key, kTextMaxLength);
    case FieldKind::kCommitSource: return check_commit_source(value, loc, rule.key);
  }
  return string_type_error(loc.json(), value.to_json());
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

FieldTable::FieldTable(std::initializer_list<FieldRule> rules) : rules_(rules) {
  if (rules_.size() > kMaxRules) throw std::logic_error("FieldTable: too many rules");
  slots_.fill(-1);
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    std::size_t slot = key_hash(rules_[i].key) & (kSlots - 1);
    while (slots_[slot] >= 0) slot = (slot + 1) & (kSlots - 1);
    slots_[slot] = static_cast<int>(i);
  }
}

int FieldTable::rule_index(std::string_view key) const {
  for (std::size_t slot = key_hash(key) & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
    const int index = slots_[slot];
    if (index < 0 || rules_[static_cast<std::size_t>(index)].key == key) return index;
  }
}

CheckedFields check_fields(const JsonMembers& body, const ordered_json& loc_prefix,
                           const FieldTable& table, const std::string& now) {
  const std::vector<FieldRule>& rules = table.rules();
  // Object keys are unique (json_body keeps a repeated key's last value, the
  // flat decoder declines repeated keys), so each rule gets at most one member.
  std::array<const JsonView*, FieldTable::kMaxRules> members{};  // by rule index
  for (const JsonMember& member : body) {
    const int index = table.rule_index(member.key);
    if (index >= 0) members[static_cast<std::size_t>(index)] = &member.value;
  }
  CheckedFields result;
  result.fields.reserve(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const FieldRule& rule = rules[i];
    const FieldLoc loc(loc_prefix, rule.key);
    const JsonView* found = members[i];
    if (!found && rule.when_absent == WhenAbsent::kRequired) {
      result.errors.push_back(missing_error(loc.json(), object_to_json(body)));
      continue;
    }
    SqlValue value;
    const bool treat_as_absent = !found || (found->is_null() && rule.when_null == WhenNull::kAbsent);
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
