#include "core/repo_url.h"

#include <string_view>

#include "util/ascii.h"

namespace telemetry {

namespace {

void strip_trailing_slashes(std::string& text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
}

// git@HOST:PATH -> https://HOST/PATH (both parts non-empty); anything else unchanged.
std::string rewrite_scp_form(const std::string& text) {
  const std::string_view prefix = "git@";
  if (!ascii::starts_with(text, prefix)) return text;
  const std::size_t colon = text.find(':', prefix.size());
  if (colon == std::string::npos) return text;
  const std::string host = text.substr(prefix.size(), colon - prefix.size());
  const std::string path = text.substr(colon + 1);
  if (host.empty() || path.empty()) return text;
  return "https://" + host + "/" + path;
}

enum class Platform { kGitHub, kGitLab, kBitbucket, kUnknown };

Platform platform_of(const std::string& git_repo) {
  const std::string lowered = ascii::lower(git_repo);
  if (lowered.find("github.com") != std::string::npos) return Platform::kGitHub;
  if (lowered.find("gitlab.com") != std::string::npos) return Platform::kGitLab;
  if (lowered.find("bitbucket.org") != std::string::npos) return Platform::kBitbucket;
  return Platform::kUnknown;
}

}  // namespace

std::optional<std::string> repo_url(const std::optional<std::string>& git_repo) {
  if (!git_repo || git_repo->empty()) return std::nullopt;
  std::string url = rewrite_scp_form(std::string(ascii::trim(*git_repo)));
  strip_trailing_slashes(url);
  if (ascii::ends_with(url, ".git")) url.resize(url.size() - 4);
  strip_trailing_slashes(url);
  if (!ascii::starts_with(url, "https://")) return std::nullopt;
  return url;
}

std::optional<std::string> commit_url(const std::optional<std::string>& git_repo,
                                      const std::optional<std::string>& git_commit_hash) {
  const std::optional<std::string> repo = repo_url(git_repo);
  if (!repo || !git_commit_hash || git_commit_hash->empty()) return std::nullopt;
  switch (platform_of(*git_repo)) {
    case Platform::kGitHub: return *repo + "/commit/" + *git_commit_hash;
    case Platform::kGitLab: return *repo + "/-/commit/" + *git_commit_hash;
    case Platform::kBitbucket: return *repo + "/commits/" + *git_commit_hash;
    case Platform::kUnknown: break;
  }
  return std::nullopt;
}

}  // namespace telemetry
