#include "util/git_info.h"

#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace telemetry {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_hash(const std::string& text) {
  return text.size() >= 40 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The commit a ref names: a loose ref file, else packed-refs.
std::optional<std::string> resolve_ref(const fs::path& common_dir, const std::string& ref) {
  if (auto loose = read_file(common_dir / ref)) {
    std::string hash = trim(*loose);
    if (is_hash(hash)) return hash;
  }
  if (auto packed = read_file(common_dir / "packed-refs")) {
    std::istringstream lines(*packed);
    std::string line;
    while (std::getline(lines, line)) {
      const auto space = line.find(' ');
      if (space != std::string::npos && line.compare(space + 1, std::string::npos, ref) == 0 &&
          is_hash(line.substr(0, space))) {
        return line.substr(0, space);
      }
    }
  }
  return std::nullopt;
}

// url = ... of [remote "origin"] in the repository's config.
std::optional<std::string> origin_url(const fs::path& common_dir) {
  auto config = read_file(common_dir / "config");
  if (!config) return std::nullopt;
  std::istringstream lines(*config);
  std::string line;
  bool in_origin = false;
  while (std::getline(lines, line)) {
    line = trim(line);
    if (!line.empty() && line.front() == '[') {
      in_origin = line == "[remote \"origin\"]";
      continue;
    }
    if (in_origin && line.rfind("url", 0) == 0) {
      const auto equals = line.find('=');
      if (equals != std::string::npos && trim(line.substr(3, equals - 3)).empty()) return trim(line.substr(equals + 1));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<GitInfo> read_git_info(const std::string& directory) {
  std::error_code error;
  fs::path top = fs::absolute(directory, error);
  if (error) return std::nullopt;
  fs::path git_dir;
  for (fs::path at = top;; at = at.parent_path()) {
    const fs::path candidate = at / ".git";
    if (fs::is_directory(candidate, error)) {
      git_dir = candidate;
    } else if (fs::is_regular_file(candidate, error)) {
      // A worktree or submodule: "gitdir: <path>".
      auto content = read_file(candidate);
      if (content && content->rfind("gitdir:", 0) == 0) {
        fs::path target = trim(content->substr(7));
        git_dir = target.is_absolute() ? target : at / target;
      }
    }
    if (!git_dir.empty()) {
      top = at;
      break;
    }
    if (at == at.parent_path()) return std::nullopt;
  }
  fs::path common_dir = git_dir;
  if (auto common = read_file(git_dir / "commondir")) {
    fs::path target = trim(*common);
    common_dir = target.is_absolute() ? target : git_dir / target;
  }

  GitInfo info;
  info.repo = origin_url(common_dir).value_or(top.filename().string());
  const std::string head = trim(read_file(git_dir / "HEAD").value_or(""));
  if (head.rfind("ref:", 0) == 0) {
    const std::string ref = trim(head.substr(4));
    if (ref.rfind("refs/heads/", 0) == 0) info.branch = ref.substr(11);
    info.commit = resolve_ref(common_dir, ref);
  } else if (is_hash(head)) {
    info.commit = head;
  }
  return info;
}

std::optional<std::string> host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name) != 0 || name[0] == '\0') return std::nullopt;
  return std::string(name);
}

}  // namespace telemetry
