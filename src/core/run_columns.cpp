#include "core/run_columns.h"

namespace telemetry {

namespace {

// Indexed by RunColumn; the order is docs/reference/schema.md §1.2.
constexpr std::array<const char*, kRunColumnCount> kColumnNames{{
    "id", "event_id", "run_id", "schema_version", "created_at", "updated_at", "start_time",
    "end_time", "agent_name", "agent_owner", "job_type", "status", "product", "product_family",
    "platform", "subdomain", "website", "website_section", "item_name", "items_discovered",
    "items_succeeded", "items_failed", "items_skipped", "duration_ms", "input_summary",
    "output_summary", "source_ref", "target_ref", "error_summary", "error_details", "git_repo",
    "git_branch", "git_commit_hash", "git_run_tag", "git_commit_source", "git_commit_author",
    "git_commit_timestamp", "host", "environment", "trigger_type", "metrics_json",
    "context_json", "api_posted", "api_posted_at", "api_retry_count", "insight_id",
    "parent_run_id",
}};

// The enum and this table must describe the same 47 columns.
static_assert(static_cast<int>(RunColumn::parent_run_id) == kRunColumnCount - 1,
              "RunColumn and kRunColumnCount disagree");

}  // namespace

const char* column_name(RunColumn column) { return kColumnNames.at(index_of(column)); }

std::optional<RunColumn> column_by_name(std::string_view name) {
  for (int i = 0; i < kRunColumnCount; ++i) {
    if (name == kColumnNames[i]) return column_at(i);
  }
  return std::nullopt;
}

}  // namespace telemetry
