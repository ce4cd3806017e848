#include "core/run_record.h"

#include <vector>

#include "core/field_rules.h"
#include "core/validation_errors.h"

namespace telemetry {

namespace {

constexpr std::int64_t kSchemaVersion = 7;

using C = RunColumn;
using K = FieldKind;
using A = WhenAbsent;
using N = WhenNull;

// docs/reference/http-api.md §10, in table order (= error order).
const FieldTable& post_rules() {
  static const FieldTable rules{
      {"event_id", C::event_id, K::kNonEmptyString, A::kRequired, N::kTypeError},
      {"run_id", C::run_id, K::kLabel, A::kRequired, N::kTypeError},
      {"created_at", C::created_at, K::kCanonicalTimestamp, A::kNow, N::kAbsent},
      {"start_time", C::start_time, K::kRequiredTimestamp, A::kRequired, N::kTypeError},
      {"end_time", C::end_time, K::kTimestamp, A::kNull, N::kAbsent},
      {"agent_name", C::agent_name, K::kLabel, A::kRequired, N::kTypeError},
      {"job_type", C::job_type, K::kLabel, A::kRequired, N::kTypeError},
      {"status", C::status, K::kStatus, A::kRunning, N::kTypeError},
      {"product", C::product, K::kLabel, A::kNull, N::kAbsent},
      {"product_family", C::product_family, K::kLabel, A::kNull, N::kAbsent},
      {"platform", C::platform, K::kLabel, A::kNull, N::kAbsent},
      {"subdomain", C::subdomain, K::kLabel, A::kNull, N::kAbsent},
      {"website", C::website, K::kReference, A::kNull, N::kAbsent},
      {"website_section", C::website_section, K::kLabel, A::kNull, N::kAbsent},
      {"item_name", C::item_name, K::kReference, A::kNull, N::kAbsent},
      {"items_discovered", C::items_discovered, K::kInteger, A::kZero, N::kTypeError},
      {"items_succeeded", C::items_succeeded, K::kInteger, A::kZero, N::kTypeError},
      {"items_failed", C::items_failed, K::kInteger, A::kZero, N::kTypeError},
      {"items_skipped", C::items_skipped, K::kInteger, A::kZero, N::kTypeError},
      {"duration_ms", C::duration_ms, K::kInteger, A::kZero, N::kAbsent},
      {"input_summary", C::input_summary, K::kText, A::kNull, N::kAbsent},
      {"output_summary", C::output_summary, K::kText, A::kNull, N::kAbsent},
      {"source_ref", C::source_ref, K::kReference, A::kNull, N::kAbsent},
      {"target_ref", C::target_ref, K::kReference, A::kNull, N::kAbsent},
      {"error_summary", C::error_summary, K::kText, A::kNull, N::kAbsent},
      {"error_details", C::error_details, K::kText, A::kNull, N::kAbsent},
      {"git_repo", C::git_repo, K::kReference, A::kNull, N::kAbsent},
      {"git_branch", C::git_branch, K::kLabel, A::kNull, N::kAbsent},
      {"git_commit_hash", C::git_commit_hash, K::kLabel, A::kNull, N::kAbsent},
      {"git_run_tag", C::git_run_tag, K::kLabel, A::kNull, N::kAbsent},
      {"git_commit_source", C::git_commit_source, K::kCommitSource, A::kNull, N::kAbsent},
      {"git_commit_author", C::git_commit_author, K::kLabel, A::kNull, N::kAbsent},
      {"git_commit_timestamp", C::git_commit_timestamp, K::kTimestamp, A::kNull, N::kAbsent},
      {"host", C::host, K::kLabel, A::kNull, N::kAbsent},
      {"environment", C::environment, K::kLabel, A::kNull, N::kAbsent},
      {"trigger_type", C::trigger_type, K::kLabel, A::kNull, N::kAbsent},
      {"metrics_json", C::metrics_json, K::kJsonObject, A::kNull, N::kAbsent},
      {"context_json", C::context_json, K::kJsonObject, A::kNull, N::kAbsent},
      {"api_posted", C::api_posted, K::kBoolean, A::kZero, N::kTypeError},
      {"api_posted_at", C::api_posted_at, K::kTimestamp, A::kNull, N::kAbsent},
      {"api_retry_count", C::api_retry_count, K::kInteger, A::kZero, N::kTypeError},
      {"insight_id", C::insight_id, K::kLabel, A::kNull, N::kAbsent},
      {"parent_run_id", C::parent_run_id, K::kLabel, A::kNull, N::kAbsent},
      {"agent_owner", C::agent_owner, K::kLabel, A::kNull, N::kAbsent},
  };
  return rules;
}

}  // namespace

const std::string& RunRecord::text(RunColumn c) const { return std::get<std::string>((*this)[c]); }

RunParseResult parse_run(const ordered_json& body, const ordered_json& loc_prefix,
                         const std::string& now) {
  if (!body.is_object()) {
    RunParseResult result;
    result.errors.push_back(model_attributes_type_error(loc_prefix, body));
    return result;
  }
  return parse_run_object(members_of(body), loc_prefix, now);
}

RunParseResult parse_run_object(const JsonMembers& body, const ordered_json& loc_prefix,
                                const std::string& now) {
  RunParseResult result;
  CheckedFields checked = check_fields(body, loc_prefix, post_rules(), now);
  if (!checked.errors.empty()) {
    result.errors = std::move(checked.errors);
    return result;
  }
  RunRecord& run = result.run;
  // Columns the body does not control (docs/reference/http-api.md §10); `id` stays NULL for SQLite.
  run[C::schema_version] = kSchemaVersion;
  run[C::updated_at] = now;
  for (CheckedField& field : checked.fields) {
    run[field.rule->column] = std::move(field.value);
    run.provided.set(index_of(field.rule->column), field.provided);
  }
  return result;
}

}  // namespace telemetry
