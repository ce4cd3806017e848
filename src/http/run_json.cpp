#include "http/run_json.h"

#include "core/repo_url.h"
#include "core/run_columns.h"

namespace telemetry::http {
namespace {

using ordered_json = nlohmann::ordered_json;

std::optional<std::string> optional_text(const ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  return std::nullopt;
}

// Replaces stored JSON text by its parsed value; returns the parser's message on failure.
std::optional<std::string> expand_json_text(ordered_json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  if (text.empty()) return std::nullopt;
  try {
    value = ordered_json::parse(text);
    return std::nullopt;
  } catch (const ordered_json::parse_error& error) {
    return std::string(error.what());
  }
}

}  // namespace

ordered_json run_record_json(const db::StoredRow& row) {
  ordered_json record = ordered_json::object();
  for (int i = 0; i < kRunColumnCount; ++i) record[column_name(column_at(i))] = row[i];

  auto metrics_error = expand_json_text(record["metrics_json"]);
  auto context_error = expand_json_text(record["context_json"]);
  const ordered_json& posted = row[index_of(RunColumn::api_posted)];
  record["api_posted"] = posted.is_number() ? posted.get<double>() != 0 : false;

  if (metrics_error) record["metrics_json_parse_error"] = *metrics_error;
  if (context_error) record["context_json_parse_error"] = *context_error;
  const auto git_repo = optional_text(row[index_of(RunColumn::git_repo)]);
  const auto hash = optional_text(row[index_of(RunColumn::git_commit_hash)]);
  const auto repo = repo_url(git_repo);
  const auto commit = commit_url(git_repo, hash);
  record["commit_url"] = commit ? ordered_json(*commit) : ordered_json(nullptr);
  record["repo_url"] = repo ? ordered_json(*repo) : ordered_json(nullptr);
  return record;
}

}  // namespace telemetry::http
