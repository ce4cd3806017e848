#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/run_columns.h"

using namespace telemetry;

TEST_CASE("column names follow docs/reference/schema.md §1.2 in canonical order") {
  const std::vector<std::string> expected{
      "id", "event_id", "run_id", "schema_version", "created_at", "updated_at", "start_time",
      "end_time", "agent_name", "agent_owner", "job_type", "status", "product", "product_family",
      "platform", "subdomain", "website", "website_section", "item_name", "items_discovered",
      "items_succeeded", "items_failed", "items_skipped", "duration_ms", "input_summary",
      "output_summary", "source_ref", "target_ref", "error_summary", "error_details", "git_repo",
      "git_branch", "git_commit_hash", "git_run_tag", "git_commit_source", "git_commit_author",
      "git_commit_timestamp", "host", "environment", "trigger_type", "metrics_json",
      "context_json", "api_posted", "api_posted_at", "api_retry_count", "insight_id",
      "parent_run_id"};
  REQUIRE(expected.size() == static_cast<std::size_t>(kRunColumnCount));
  for (int i = 0; i < kRunColumnCount; ++i) {
    INFO(i);
    CHECK(column_name(column_at(i)) == expected[i]);
  }
}

TEST_CASE("column_by_name is the inverse of column_name") {
  for (int i = 0; i < kRunColumnCount; ++i) {
    const auto column = column_by_name(column_name(column_at(i)));
    REQUIRE(column.has_value());
    CHECK(index_of(*column) == i);
  }
  CHECK(column_by_name("metrics_json") == RunColumn::metrics_json);
  CHECK(column_by_name("commit_url") == std::nullopt);
  CHECK(column_by_name("Event_id") == std::nullopt);
  CHECK(column_by_name("") == std::nullopt);
}

TEST_CASE("the enum positions match the column table") {
  CHECK(index_of(RunColumn::id) == 0);
  CHECK(index_of(RunColumn::agent_owner) == 9);
  CHECK(index_of(RunColumn::duration_ms) == 23);
  CHECK(index_of(RunColumn::parent_run_id) == 46);
  CHECK(is_null(SqlValue{}));
  CHECK_FALSE(is_null(SqlValue{std::int64_t{0}}));
}
