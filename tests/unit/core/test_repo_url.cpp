#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/repo_url.h"

using telemetry::commit_url;
using telemetry::repo_url;

namespace {

using Opt = std::optional<std::string>;

struct UrlExample {
  Opt git_repo;
  Opt expected_repo_url;
  Opt expected_commit_url;
};

}  // namespace

TEST_CASE("repo_url and commit_url reproduce every example of docs/reference/http-api.md §13.3") {
  const Opt none;
  const UrlExample examples[] = {
      {"https://github.com/o/r", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"},
      {"https://github.com/o/r.git", "https://github.com/o/r",
       "https://github.com/o/r/commit/abc1234"},
      {"https://github.com/o/r.git/", "https://github.com/o/r",
       "https://github.com/o/r/commit/abc1234"},
      {"https://github.com/o/r///", "https://github.com/o/r",
       "https://github.com/o/r/commit/abc1234"},
      {"git@github.com:o/r.git", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"},
      {"git@gitlab.com:g/sub/r.git", "https://gitlab.com/g/sub/r",
       "https://gitlab.com/g/sub/r/-/commit/abc1234"},
      {"https://gitlab.com/g/r", "https://gitlab.com/g/r", "https://gitlab.com/g/r/-/commit/abc1234"},
      {"git@bitbucket.org:o/r.git", "https://bitbucket.org/o/r",
       "https://bitbucket.org/o/r/commits/abc1234"},
      {"  https://GitHub.com/O/R.git  ", "https://GitHub.com/O/R",
       "https://GitHub.com/O/R/commit/abc1234"},
      {"https://git.example.com/repo", "https://git.example.com/repo", none},
      {"https://gitlab.example.com/o/r", "https://gitlab.example.com/o/r", none},
      {"http://github.com/o/r", none, none},
      {"ssh://git@github.com/o/r.git", none, none},
      {"HTTPS://github.com/o/r", none, none},
      {"docs", none, none},
      {none, none, none},
      {"", none, none},
  };
  for (const UrlExample& example : examples) {
    INFO(example.git_repo.value_or("<NULL>"));
    CHECK(repo_url(example.git_repo) == example.expected_repo_url);
    CHECK(commit_url(example.git_repo, std::string("abc1234")) == example.expected_commit_url);
  }
}

TEST_CASE("commit_url is null without a commit hash") {
  CHECK(repo_url(std::string("https://github.com/o/r")) == "https://github.com/o/r");
  CHECK(commit_url(std::string("https://github.com/o/r"), std::nullopt) == std::nullopt);
  CHECK(commit_url(std::string("https://github.com/o/r"), std::string("")) == std::nullopt);
}

TEST_CASE("commit_url inserts the hash exactly as stored") {
  CHECK(commit_url(std::string("https://github.com/o/r"), std::string(" AbC 12/x ")) ==
        "https://github.com/o/r/commit/ AbC 12/x ");
}

TEST_CASE("repo_url edge cases of the building rules") {
  // Only whitespace: trimmed to "", which is not https.
  CHECK(repo_url(std::string("   ")) == std::nullopt);
  // git@ without a host or path is not rewritten, so it stays non-https.
  CHECK(repo_url(std::string("git@:o/r")) == std::nullopt);
  CHECK(repo_url(std::string("git@github.com:")) == std::nullopt);
  CHECK(repo_url(std::string("git@github.com")) == std::nullopt);
  // ".git" is removed once and case-sensitively.
  CHECK(repo_url(std::string("https://github.com/o/r.git.git")) == "https://github.com/o/r.git");
  CHECK(repo_url(std::string("https://github.com/o/r.GIT")) == "https://github.com/o/r.GIT");
  // The platform is judged on the original value, lower-cased.
  CHECK(commit_url(std::string("git@BitBucket.ORG:o/r"), std::string("abc1234")) ==
        "https://BitBucket.ORG/o/r/commits/abc1234");
  // GitHub wins over GitLab when both appear.
  CHECK(commit_url(std::string("https://gitlab.com/github.com/r"), std::string("abc1234")) ==
        "https://gitlab.com/github.com/r/commit/abc1234");
  // Tabs and newlines are ASCII whitespace too.
  CHECK(repo_url(std::string("\thttps://github.com/o/r\n")) == "https://github.com/o/r");
  // "https://" loses its slashes in rule 4 and is then not https.
  CHECK(repo_url(std::string("https://")) == std::nullopt);
}
