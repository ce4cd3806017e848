#include "buffer/buffer_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "core/run_columns.h"

namespace telemetry::buffer {
namespace {

using Json = nlohmann::ordered_json;

// docs/reference/buffer-files.md §5.2: the 47 keys of current clients, in their order.
constexpr const char* kLineKeys[] = {
    "run_id", "agent_name", "job_type", "trigger_type", "start_time", "event_id", "schema_version",
    "agent_owner", "end_time", "status", "items_discovered", "items_succeeded", "items_failed",
    "items_skipped", "duration_ms", "input_summary", "output_summary", "source_ref", "target_ref",
    "error_summary", "error_details", "metrics_json", "context_json", "insight_id", "product", "platform",
    "product_family", "subdomain", "website", "website_section", "item_name", "git_repo", "git_branch",
    "git_run_tag", "git_commit_hash", "git_commit_source", "git_commit_author", "git_commit_timestamp",
    "host", "environment", "api_posted", "api_posted_at", "api_retry_count", "parent_run_id", "created_at",
    "updated_at", "record_type"};

constexpr std::uintmax_t kRotateBytes = 10485760;  // docs/reference/buffer-files.md §4
constexpr std::time_t kRotateAgeSeconds = 86400;

// Python's json.dumps string escaping with ensure_ascii (the input is valid UTF-8).
void append_string(std::string& out, const std::string& text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) out += fmt::format("\\u{:04x}", c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const int length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    char32_t code = c & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F);
    for (int k = 1; k < length && i + k < text.size(); ++k) code = (code << 6) | (text[i + k] & 0x3F);
    i += length;
    if (code >= 0x10000) {
      code -= 0x10000;
      out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF));
    } else {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(code));
    }
  }
  out += '"';
}

// json.dumps of a parsed value: ", " and ": " separators.
void append_value(std::string& out, const Json& value) {
  if (value.is_string()) {
    append_string(out, value.get<std::string>());
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : value.items()) {
      if (!first) out += ", ";
      first = false;
      append_string(out, key);
      out += ": ";
      append_value(out, member);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i) out += ", ";
      append_value(out, value[i]);
    }
    out += ']';
  } else {
    out += value.dump();
  }
}

std::string python_dumps(const Json& value) {
  std::string out;
  append_value(out, value);
  return out;
}

std::string local_stamp(std::chrono::system_clock::time_point now) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d_%H%M%S", &local);
  return text;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The newest *.jsonl.active of `directory` by mtime (docs/reference/buffer-files.md §4).
std::optional<std::string> newest_active(const std::string& directory) {
  std::optional<std::string> best;
  std::timespec best_time{};
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) return std::nullopt;
  while (dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind("telemetry_", 0) != 0 || !ends_with(name, ".jsonl.active")) continue;
    struct stat st {};
    const std::string path = directory + "/" + name;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const bool newer = !best || st.st_mtim.tv_sec > best_time.tv_sec ||
                       (st.st_mtim.tv_sec == best_time.tv_sec && st.st_mtim.tv_nsec > best_time.tv_nsec);
    if (newer) {
      best = path;
      best_time = st.st_mtim;
    }
  }
  ::closedir(dir);
  return best;
}

std::string error_text(const std::string& what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, std::strerror(errno));
}

// The active file to append to: the newest one unless it is due for rotation
// (renamed to .ready), else a new one named from the local time.
std::string active_file(const std::string& directory, std::chrono::system_clock::time_point now) {
  if (auto current = newest_active(directory)) {
    struct stat st {};
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    if (::stat(current->c_str(), &st) == 0 &&
        (static_cast<std::uintmax_t>(st.st_size) >= kRotateBytes || seconds - st.st_mtime >= kRotateAgeSeconds)) {
      const std::string ready = current->substr(0, current->size() - std::string("active").size()) + "ready";
      ::rename(current->c_str(), ready.c_str());  // another client may have rotated it first: fine
    } else {
      return *current;
    }
  }
  return directory + "/telemetry_" + local_stamp(now) + ".jsonl.active";
}

}  // namespace

std::string client_timestamp(std::chrono::system_clock::time_point when) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  long fraction = static_cast<long>(micros % 1000000);
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fraction == 0 ? fmt::format("{}+00:00", text) : fmt::format("{}.{:06d}+00:00", text, fraction);
}

std::string client_line(const RunRecord& run) {
  std::string out = "{";
  bool first = true;
  for (const char* key : kLineKeys) {
    if (!first) out += ", ";
    first = false;
    append_string(out, key);
    out += ": ";
    const std::string name = key;
    if (name == "record_type") {
      out += "\"run\"";
      continue;
    }
    const RunColumn column = *column_by_name(name);
    const SqlValue& value = run[column];
    if (is_null(value)) {
      out += "null";
    } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
      out += std::to_string(*number);
    } else if (column == RunColumn::metrics_json || column == RunColumn::context_json) {
      // Stored as compact JSON text; the client writes a string holding json.dumps of it.
      append_string(out, python_dumps(Json::parse(std::get<std::string>(value))));
    } else {
      append_string(out, std::get<std::string>(value));
    }
  }
  out += '}';
  return out;
}

AppendResult append_line(const std::string& directory, const std::string& line,
                         std::chrono::system_clock::time_point now) {
  AppendResult result;
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  const std::string data = line + "\n";
  // A rename between our open and our write would leave the line in a file
  // nobody reads again; three attempts are plenty for that rare race.
  for (int attempt = 0; attempt < 3; ++attempt) {
    result.file = active_file(directory, now);
    const int fd = ::open(result.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      result.error = error_text("cannot open buffer file", result.file);
      return result;
    }
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written != static_cast<ssize_t>(data.size())) {
      if (written >= 0) errno = ENOSPC;
      result.error = error_text("cannot write buffer file", result.file);
      ::close(fd);
      return result;
    }
    struct stat opened {}, named {};
    const bool same = ::fstat(fd, &opened) == 0 && ::stat(result.file.c_str(), &named) == 0 &&
                      opened.st_ino == named.st_ino && opened.st_dev == named.st_dev;
    ::close(fd);
    if (same) return result;
  }
  result.error = "buffer file " + result.file + " kept being renamed while written";
  return result;
}

}  // namespace telemetry::buffer
