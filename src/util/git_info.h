#pragma once
// The git repository, branch and commit of a directory, read from the .git
// files themselves (no `git` process: `telemetry run` must start CMD at once).
#include <optional>
#include <string>

namespace telemetry {

struct GitInfo {
  std::string repo;                    // remote "origin" URL, else the top-level directory's name
  std::optional<std::string> branch;   // nullopt on a detached HEAD
  std::optional<std::string> commit;   // full hash; nullopt in a repository without commits
};

// nullopt when `directory` is not inside a git work tree.
std::optional<GitInfo> read_git_info(const std::string& directory);

// gethostname(), or nullopt.
std::optional<std::string> host_name();

}  // namespace telemetry
