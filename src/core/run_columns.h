#pragma once
// The 47 columns of agent_runs in canonical order (docs/reference/schema.md §1.2). This list
// is the one place that order is written down: inserts, run records and the
// migration all iterate over it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace telemetry {

enum class RunColumn : int {
  id, event_id, run_id, schema_version, created_at, updated_at, start_time, end_time,
  agent_name, agent_owner, job_type, status, product, product_family, platform, subdomain,
  website, website_section, item_name, items_discovered, items_succeeded, items_failed,
  items_skipped, duration_ms, input_summary, output_summary, source_ref, target_ref,
  error_summary, error_details, git_repo, git_branch, git_commit_hash, git_run_tag,
  git_commit_source, git_commit_author, git_commit_timestamp, host, environment,
  trigger_type, metrics_json, context_json, api_posted, api_posted_at, api_retry_count,
  insight_id, parent_run_id,
};

constexpr int kRunColumnCount = 47;

const char* column_name(RunColumn column);
std::optional<RunColumn> column_by_name(std::string_view name);
inline int index_of(RunColumn column) { return static_cast<int>(column); }
inline RunColumn column_at(int index) { return static_cast<RunColumn>(index); }

// A value bound to or read from SQLite. monostate is SQL NULL.
using SqlValue = std::variant<std::monostate, std::int64_t, std::string>;

inline bool is_null(const SqlValue& v) { return std::holds_alternative<std::monostate>(v); }

}  // namespace telemetry
