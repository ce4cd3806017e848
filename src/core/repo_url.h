#pragma once
// Links to a run's repository and commit (docs/reference/http-api.md §13.2). Pure functions.
#include <optional>
#include <string>

namespace telemetry {

std::optional<std::string> repo_url(const std::optional<std::string>& git_repo);
std::optional<std::string> commit_url(const std::optional<std::string>& git_repo,
                                      const std::optional<std::string>& git_commit_hash);

}  // namespace telemetry
