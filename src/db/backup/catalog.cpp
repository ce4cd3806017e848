#include "db/backup/catalog.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "util/error.h"

namespace telemetry::db::backup {

std::vector<BackupEntry> list_backups(const std::string& directory) {
  namespace fs = std::filesystem;
  std::vector<BackupEntry> entries;
  std::error_code error;
  if (!fs::exists(directory, error)) return entries;
  fs::directory_iterator it(directory, error);
  if (error) {
    throw Error(ErrorKind::kNotFound, fmt::format("cannot read {}: {}", directory, error.message()));
  }
  for (const fs::directory_entry& file : it) {
    const std::string name = file.path().filename().string();
    auto parsed = parse_backup_file_name(name);
    if (!parsed || !file.is_regular_file(error)) continue;
    BackupEntry entry;
    entry.name = name;
    entry.path = file.path().string();
    entry.stem = parsed->stem;
    entry.time = parsed->time;
    entry.sequence = parsed->sequence;
    entry.bytes = file.file_size(error);
    entry.record = read_verified_record(entry.path);
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const BackupEntry& a, const BackupEntry& b) {
    return a.time != b.time ? a.time < b.time : a.sequence < b.sequence;
  });
  return entries;
}

}  // namespace telemetry::db::backup
