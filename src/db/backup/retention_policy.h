#pragma once
// Which old backups `telemetry backup` deletes (docs/reference/configuration.md §4.3 "Backup
// retention"). Pure: the caller supplies the listing and "now", so the rule is
// tested with fixed times.
#include <string>
#include <vector>

#include "db/backup/backup_name.h"

namespace telemetry::db::backup {

struct RetentionCandidate {
  std::string name;  // file name, parsed by parse_backup_file_name
  TimePoint time;    // the time in the name
  int sequence = 0;  // the -N suffix: later backups of the same second
  bool verified = false;
};

struct RetentionLimits {
  int keep_days = 7;  // 0: age alone never protects
  int keep_last = 0;  // 0: rank alone never protects
};

// Names to delete, oldest first. A backup is deleted when it is verified, is
// not `just_made`, is older than keep_days days (or keep_days is 0) and is not
// among the keep_last newest verified backups (or keep_last is 0). Nothing is
// deleted when both limits are 0. Unverified backups are never deleted and do
// not count towards keep_last (they might be unusable).
std::vector<std::string> select_backups_to_delete(const std::vector<RetentionCandidate>& backups,
                                                  const std::string& just_made, RetentionLimits limits,
                                                  TimePoint now);

}  // namespace telemetry::db::backup
