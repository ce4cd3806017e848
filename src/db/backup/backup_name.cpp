#include "db/backup/backup_name.h"

#include <ctime>
#include <filesystem>

#include <fmt/format.h>

namespace telemetry::db::backup {
namespace {

constexpr const char* kSuffix = ".sqlite";
constexpr std::size_t kStampLength = 15;  // YYYYMMDD_HHMMSS

std::tm utc_fields(TimePoint time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}

bool all_digits(const std::string& text, std::size_t from, std::size_t count) {
  if (from + count > text.size()) return false;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

int number_at(const std::string& text, std::size_t from, std::size_t count) {
  return std::stoi(text.substr(from, count));
}

}  // namespace

std::string database_stem(const std::string& db_path) {
  return std::filesystem::path(db_path).stem().string();
}

std::string utc_file_stamp(TimePoint time) {
  std::tm f = utc_fields(time);
  return fmt::format("{:04}{:02}{:02}_{:02}{:02}{:02}", f.tm_year + 1900, f.tm_mon + 1, f.tm_mday, f.tm_hour,
                     f.tm_min, f.tm_sec);
}

std::string backup_file_name(const std::string& stem, TimePoint time, int sequence) {
  const std::string stamp = utc_file_stamp(time);
  return sequence == 0 ? fmt::format("{}_{}{}", stem, stamp, kSuffix)
                       : fmt::format("{}_{}-{}{}", stem, stamp, sequence, kSuffix);
}

std::optional<BackupName> parse_backup_file_name(const std::string& name) {
  // <stem> _ YYYYMMDD _ HHMMSS [-N] .sqlite, read from the end: the stem may
  // itself hold underscores and digits.
  const std::string suffix = kSuffix;
  if (name.size() < 2 + kStampLength + suffix.size()) return std::nullopt;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  const std::size_t rest_end = name.size() - suffix.size();
  BackupName parsed;
  std::size_t stamp_end = rest_end;
  const std::size_t dash = name.rfind('-', rest_end - 1);
  if (dash != std::string::npos && dash + 1 < rest_end && all_digits(name, dash + 1, rest_end - dash - 1)) {
    // "-N" with N >= 1, no leading zero, at most 6 digits.
    if (name[dash + 1] == '0' || rest_end - dash - 1 > 6) return std::nullopt;
    parsed.sequence = number_at(name, dash + 1, rest_end - dash - 1);
    stamp_end = dash;
  }
  if (stamp_end < kStampLength + 2) return std::nullopt;
  const std::size_t p = stamp_end - kStampLength;
  if (name[p - 1] != '_') return std::nullopt;
  if (!all_digits(name, p, 8) || name[p + 8] != '_' || !all_digits(name, p + 9, 6)) return std::nullopt;
  parsed.stem = name.substr(0, p - 1);
  // A leading dot is a temporary file (".u_....sqlite.tmp-42" never gets here,
  // but a hidden name is never a backup either).
  if (parsed.stem.empty() || parsed.stem.front() == '.') return std::nullopt;
  std::tm f{};
  f.tm_year = number_at(name, p, 4) - 1900;
  f.tm_mon = number_at(name, p + 4, 2) - 1;
  f.tm_mday = number_at(name, p + 6, 2);
  f.tm_hour = number_at(name, p + 9, 2);
  f.tm_min = number_at(name, p + 11, 2);
  f.tm_sec = number_at(name, p + 13, 2);
  const int month = f.tm_mon, day = f.tm_mday, hour = f.tm_hour, minute = f.tm_min, second = f.tm_sec;
  std::time_t seconds = timegm(&f);
  // timegm normalises out-of-range fields; a name such as 20260231 is not ours.
  if (f.tm_mon != month || f.tm_mday != day || f.tm_hour != hour || f.tm_min != minute || f.tm_sec != second) {
    return std::nullopt;
  }
  parsed.time = std::chrono::system_clock::from_time_t(seconds);
  return parsed;
}

std::string choose_backup_file_name(const std::string& directory, const std::string& stem, TimePoint time) {
  std::error_code ignored;
  for (int sequence = 0;; ++sequence) {
    std::string name = backup_file_name(stem, time, sequence);
    if (!std::filesystem::exists(std::filesystem::path(directory) / name, ignored)) return name;
  }
}

std::string format_utc_seconds(TimePoint time) {
  std::tm f = utc_fields(time);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", f.tm_year + 1900, f.tm_mon + 1, f.tm_mday, f.tm_hour,
                     f.tm_min, f.tm_sec);
}

}  // namespace telemetry::db::backup
