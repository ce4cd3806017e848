#include "core/run_update.h"

#include "core/field_rules.h"
#include "core/validation_errors.h"

namespace telemetry {

namespace {

using C = RunColumn;
using K = FieldKind;
using A = WhenAbsent;
using N = WhenNull;

// docs/reference/http-api.md §14.1, in table order. In a PATCH null never clears a column.
const FieldTable& patch_rules() {
  static const FieldTable rules{
      {"status", C::status, K::kStatus, A::kNull, N::kAbsent},
      {"end_time", C::end_time, K::kTimestamp, A::kNull, N::kAbsent},
      {"duration_ms", C::duration_ms, K::kInteger, A::kNull, N::kAbsent},
      {"error_summary", C::error_summary, K::kText, A::kNull, N::kAbsent},
      {"error_details", C::error_details, K::kText, A::kNull, N::kAbsent},
      {"output_summary", C::output_summary, K::kText, A::kNull, N::kAbsent},
      {"items_succeeded", C::items_succeeded, K::kInteger, A::kNull, N::kAbsent},
      {"items_failed", C::items_failed, K::kInteger, A::kNull, N::kAbsent},
      {"items_skipped", C::items_skipped, K::kInteger, A::kNull, N::kAbsent},
      {"metrics_json", C::metrics_json, K::kJsonObject, A::kNull, N::kAbsent},
      {"context_json", C::context_json, K::kJsonObject, A::kNull, N::kAbsent},
      {"git_commit_source", C::git_commit_source, K::kCommitSource, A::kNull, N::kAbsent},
      {"git_commit_author", C::git_commit_author, K::kLabel, A::kNull, N::kAbsent},
      {"git_commit_timestamp", C::git_commit_timestamp, K::kTimestamp, A::kNull, N::kAbsent},
      {"items_discovered", C::items_discovered, K::kInteger, A::kNull, N::kAbsent},
      {"input_summary", C::input_summary, K::kText, A::kNull, N::kAbsent},
  };
  return rules;
}

// docs/reference/http-api.md §14.2, in table order.
const FieldTable& associate_commit_rules() {
  static const FieldTable rules{
      {"commit_hash", C::git_commit_hash, K::kCommitHash, A::kRequired, N::kTypeError},
      {"commit_source", C::git_commit_source, K::kCommitSource, A::kRequired, N::kTypeError},
      {"commit_author", C::git_commit_author, K::kLabel, A::kNull, N::kAbsent},
      {"commit_timestamp", C::git_commit_timestamp, K::kTimestamp, A::kNull, N::kAbsent},
  };
  return rules;
}

const ordered_json& body_loc() {
  static const ordered_json loc = ordered_json::array({"body"});
  return loc;
}

// Shared by both bodies; `keep_nulls` decides whether a NULL value is written.
RunUpdateParseResult parse_update(const ordered_json& body, const FieldTable& rules,
                                  bool keep_nulls) {
  RunUpdateParseResult result;
  if (!body.is_object()) {
    result.errors.push_back(model_attributes_type_error(body_loc(), body));
    return result;
  }
  CheckedFields checked = check_fields(members_of(body), body_loc(), rules, /*now=*/std::string());
  if (!checked.errors.empty()) {
    result.errors = std::move(checked.errors);
    return result;
  }
  for (CheckedField& field : checked.fields) {
    if (keep_nulls || field.provided) {
      result.update.emplace_back(field.rule->column, std::move(field.value));
    }
  }
  return result;
}

}  // namespace

RunUpdateParseResult parse_run_patch(const ordered_json& body) {
  return parse_update(body, patch_rules(), /*keep_nulls=*/false);
}

RunUpdateParseResult parse_associate_commit(const ordered_json& body) {
  return parse_update(body, associate_commit_rules(), /*keep_nulls=*/true);
}

const std::vector<RunColumn>& patchable_columns() {
  static const std::vector<RunColumn> columns = [] {
    std::vector<RunColumn> out;
    for (const FieldRule& rule : patch_rules().rules()) out.push_back(rule.column);
    return out;
  }();
  return columns;
}

}  // namespace telemetry
