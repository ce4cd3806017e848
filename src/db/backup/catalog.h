#pragma once
// The backups `telemetry backup` made in a directory, for `backup list` and retention.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/backup/backup_name.h"
#include "db/backup/verified_record.h"

namespace telemetry::db::backup {

struct BackupEntry {
  std::string name;
  std::string path;
  std::string stem;  // from the name: the database's file name without extension
  TimePoint time;  // from the name
  int sequence = 0;  // the -N suffix
  std::uint64_t bytes = 0;
  std::optional<VerifiedRecord> record;  // nullopt: unverified
};

// Every file in `directory` named like a backup (backup_name.h), oldest
// first. A missing directory has no backups.
std::vector<BackupEntry> list_backups(const std::string& directory);

}  // namespace telemetry::db::backup
