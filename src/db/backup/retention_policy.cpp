#include "db/backup/retention_policy.h"

#include <algorithm>
#include <set>

namespace telemetry::db::backup {

std::vector<std::string> select_backups_to_delete(const std::vector<RetentionCandidate>& backups,
                                                  const std::string& just_made, RetentionLimits limits,
                                                  TimePoint now) {
  if (limits.keep_days == 0 && limits.keep_last == 0) return {};

  std::vector<RetentionCandidate> verified;
  for (const RetentionCandidate& backup : backups) {
    if (backup.verified) verified.push_back(backup);
  }
  // Newest first; within one second, -2 came after -1, which came after none.
  std::sort(verified.begin(), verified.end(), [](const RetentionCandidate& a, const RetentionCandidate& b) {
    if (a.time != b.time) return a.time > b.time;
    return a.sequence > b.sequence;
  });

  const auto max_age = std::chrono::hours(24) * limits.keep_days;
  std::vector<RetentionCandidate> doomed;
  for (std::size_t rank = 0; rank < verified.size(); ++rank) {
    const RetentionCandidate& backup = verified[rank];
    if (backup.name == just_made) continue;
    const bool old_enough = limits.keep_days == 0 || now - backup.time > max_age;
    const bool outside_newest = limits.keep_last == 0 || rank >= static_cast<std::size_t>(limits.keep_last);
    if (old_enough && outside_newest) doomed.push_back(backup);
  }
  std::vector<std::string> names;
  for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) names.push_back(it->name);
  return names;
}

}  // namespace telemetry::db::backup
