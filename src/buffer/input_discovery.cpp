#include "buffer/input_discovery.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>

#include "buffer/state_rename.h"

namespace telemetry::buffer {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_buffer_file_name(const std::string& name, bool include_active) {
  return ends_with(name, ".jsonl.ready") || ends_with(name, ".jsonl") ||
         (include_active && ends_with(name, ".jsonl.active"));
}

std::string join(const std::string& directory, const std::string& name) {
  return (!directory.empty() && directory.back() == '/') ? directory + name : directory + "/" + name;
}

class Collector {
 public:
  explicit Collector(bool include_active) : include_active_(include_active) {}

  void add_argument(const std::string& argument) {
    if (argument == "-") {
      if (!stdin_seen_) inputs_.push_back(InputSpec{"-", true, false, std::nullopt});
      stdin_seen_ = true;
      return;
    }
    struct stat st {};
    if (::stat(argument.c_str(), &st) != 0) return add_missing(argument, std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return add_directory(argument);
    if (is_quarantine_name(argument)) {
      usage_error_ = argument + " is a quarantine file (output of ingest-buffer), not an input";
      return;
    }
    if (is_active_name(argument) && !include_active_) {
      usage_error_ = argument + " is an .active buffer file that a client may still be appending to; "
                                "add --include-active to ingest it";
      return;
    }
    if (::access(argument.c_str(), R_OK) != 0) return add_missing(argument, std::strerror(errno));
    add_file(argument, st);
  }

  Discovery result() && {
    return Discovery{std::move(inputs_), std::move(usage_error_), std::move(skipped_active_), std::move(skipped_)};
  }

 private:
  void add_missing(const std::string& path, const std::string& reason) {
    inputs_.push_back(InputSpec{path, false, false, reason});
  }

  void add_file(const std::string& path, const struct stat& st, bool no_follow = false) {
    if (!seen_.insert({st.st_dev, st.st_ino}).second) return;  // reached twice: processed once
    inputs_.push_back(InputSpec{path, false, is_active_name(path), std::nullopt, no_follow});
  }

  void add_directory(const std::string& directory) {
    DIR* dir = ::opendir(directory.c_str());
    if (!dir) return add_missing(directory, std::strerror(errno));
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (!name.empty() && name[0] != '.' && !include_active_ && is_active_name(name))
        skipped_active_.push_back(join(directory, name));
      if (name.empty() || name[0] == '.' || !is_buffer_file_name(name, include_active_)) continue;
      names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());  // byte order
    for (const std::string& name : names) {
      const std::string path = join(directory, name);
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) continue;  // gone since readdir
      if (S_ISLNK(st.st_mode)) {
        skipped_.push_back(path + ": a symbolic link, not followed");
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        skipped_.push_back(path + ": not a regular file");
        continue;
      }
      add_file(path, st, /*no_follow=*/true);
    }
  }

  bool include_active_;
  bool stdin_seen_ = false;
  std::vector<InputSpec> inputs_;
  std::set<std::pair<dev_t, ino_t>> seen_;
  std::optional<std::string> usage_error_;
  std::vector<std::string> skipped_active_;
  std::vector<std::string> skipped_;
};

}  // namespace

Discovery discover_inputs(const std::vector<std::string>& arguments, const std::string& default_directory,
                          bool include_active) {
  Collector collector(include_active);
  if (arguments.empty()) {
    collector.add_argument(default_directory);
  } else {
    for (const std::string& argument : arguments) collector.add_argument(argument);
  }
  return std::move(collector).result();
}

}  // namespace telemetry::buffer
