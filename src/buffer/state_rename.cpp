#include "buffer/state_rename.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "buffer/quarantine.h"

namespace telemetry::buffer {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "dir/X" for "dir/X.jsonl.ready", "dir/X.jsonl.active" and "dir/X.jsonl".
std::optional<std::string> stem_of(const std::string& path) {
  for (std::string_view suffix : {".jsonl.ready", ".jsonl.active", ".jsonl"}) {
    if (ends_with(path, suffix)) {
      std::string stem = path.substr(0, path.size() - suffix.size());
      const std::size_t slash = stem.rfind('/');
      if (stem.size() == (slash == std::string::npos ? 0 : slash + 1)) return std::nullopt;  // ".jsonl" alone
      return stem;
    }
  }
  return std::nullopt;
}

// rename(2) that fails with EEXIST instead of replacing the target. Falls back
// to link+unlink on filesystems without RENAME_NOREPLACE.
int rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::link(from.c_str(), to.c_str()) != 0) return -1;
  return ::unlink(from.c_str());
}

}  // namespace

std::optional<std::string> synced_path_for(const std::string& path) {
  auto stem = stem_of(path);
  if (!stem) return std::nullopt;
  return *stem + ".jsonl.synced";
}

std::string numbered_synced_path(const std::string& path, int attempt) {
  return stem_of(path).value_or(path) + "." + std::to_string(attempt) + ".jsonl.synced";
}

RenameResult rename_to_synced(const std::string& path) {
  RenameResult result;
  auto first = synced_path_for(path);
  if (!first) return result;
  std::string target = *first;
  for (int attempt = 1;; ++attempt) {
    if (rename_no_replace(path, target) == 0) break;
    if (errno != EEXIST) {
      result.error = "cannot rename " + path + " to " + target + ": " + std::strerror(errno);
      return result;
    }
    target = numbered_synced_path(path, attempt);
  }
  result.renamed_to = target;
  result.error = sync_directory_of(target);
  return result;
}

bool is_active_name(const std::string& path) { return ends_with(path, ".jsonl.active"); }

bool is_quarantine_name(const std::string& path) { return ends_with(path, ".rejected"); }

}  // namespace telemetry::buffer
