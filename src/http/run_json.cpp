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

ordered_json run_record_json(db::StoredRow row) {
  const auto git_repo = optional_text(row[index_of(RunColumn::git_repo)]);
  const auto hash = optional_text(row[index_of(RunColumn::git_commit_hash)]);
  const ordered_json& posted = row[index_of(RunColumn::api_posted)];
  const bool api_posted = posted.is_number() ? posted.get<double>() != 0 : false;
  auto metrics_error = expand_json_text(row[index_of(RunColumn::metrics_json)]);
  auto context_error = expand_json_text(row[index_of(RunColumn::context_json)]);
  row[index_of(RunColumn::api_posted)] = api_posted;

  // The keys are known to be distinct, so append to the object's underlying
  // vector directly: operator[] would search the keys already present for
  // every insertion (a thousand comparisons per record).
  ordered_json record = ordered_json::object();
  auto& members = static_cast<std::vector<std::pair<const std::string, ordered_json>>&>(
      record.get_ref<ordered_json::object_t&>());
  members.reserve(kRunColumnCount + 4);
  for (int i = 0; i < kRunColumnCount; ++i) members.emplace_back(column_name(column_at(i)), std::move(row[i]));
  if (metrics_error) members.emplace_back("metrics_json_parse_error", *metrics_error);
  if (context_error) members.emplace_back("context_json_parse_error", *context_error);
  const auto repo = repo_url(git_repo);
  const auto commit = commit_url(git_repo, hash);
  members.emplace_back("commit_url", commit ? ordered_json(*commit) : ordered_json(nullptr));
  members.emplace_back("repo_url", repo ? ordered_json(*repo) : ordered_json(nullptr));
  return record;
}

}  // namespace telemetry::http
