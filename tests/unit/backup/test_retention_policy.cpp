// Backup retention (docs/reference/configuration.md §4.3) with fixed times.
#include <catch2/catch.hpp>

#include "db/backup/retention_policy.h"

using namespace telemetry::db::backup;
using std::chrono::hours;
using std::chrono::system_clock;

namespace {

const TimePoint kNow = system_clock::from_time_t(1768382102);  // 2026-01-14T09:15:02Z

RetentionCandidate made_days_ago(int days, bool verified = true, int sequence = 0) {
  TimePoint time = kNow - hours(24) * days;
  return {backup_file_name(time, sequence), time, sequence, verified};
}

std::vector<RetentionCandidate> one_a_day(int count) {
  std::vector<RetentionCandidate> list;
  for (int days = 0; days < count; ++days) list.push_back(made_days_ago(days));
  return list;
}

}  // namespace

TEST_CASE("by age: verified backups older than keep_days are deleted, oldest first") {
  auto backups = one_a_day(10);  // 0 .. 9 days old
  auto doomed = select_backups_to_delete(backups, backups[0].name, {7, 0}, kNow);
  REQUIRE(doomed.size() == 2);
  CHECK(doomed[0] == made_days_ago(9).name);
  CHECK(doomed[1] == made_days_ago(8).name);
}

TEST_CASE("exactly keep_days old is not older than keep_days") {
  std::vector<RetentionCandidate> backups{made_days_ago(0), made_days_ago(7)};
  CHECK(select_backups_to_delete(backups, backups[0].name, {7, 0}, kNow).empty());
  backups[1].time -= std::chrono::seconds(1);
  CHECK(select_backups_to_delete(backups, backups[0].name, {7, 0}, kNow).size() == 1);
}

TEST_CASE("by count: only the keep_last newest verified backups stay") {
  auto backups = one_a_day(5);
  auto doomed = select_backups_to_delete(backups, backups[0].name, {0, 2}, kNow);
  CHECK(doomed == std::vector<std::string>{made_days_ago(4).name, made_days_ago(3).name, made_days_ago(2).name});
}

TEST_CASE("age and count together: deleted only when old AND outside the newest") {
  auto backups = one_a_day(10);
  // keep 3 days or the 5 newest: days 0..4 are protected by count, 5..9 are old.
  auto doomed = select_backups_to_delete(backups, backups[0].name, {3, 5}, kNow);
  CHECK(doomed.size() == 5);
  CHECK(doomed.back() == made_days_ago(5).name);
  // keep 7 days or the 2 newest: days 8 and 9 go.
  CHECK(select_backups_to_delete(backups, backups[0].name, {7, 2}, kNow).size() == 2);
}

TEST_CASE("both limits zero deletes nothing") {
  auto backups = one_a_day(10);
  CHECK(select_backups_to_delete(backups, backups[0].name, {0, 0}, kNow).empty());
}

TEST_CASE("the backup just made is never deleted, whatever its name says") {
  // A clock set back: the new backup's name is older than the others.
  std::vector<RetentionCandidate> backups{made_days_ago(30), made_days_ago(1)};
  auto doomed = select_backups_to_delete(backups, backups[0].name, {7, 0}, kNow);
  CHECK(doomed.empty());
  // By rank the one-day-old backup is the newest, so keep_last 1 keeps it too.
  CHECK(select_backups_to_delete(backups, backups[0].name, {0, 1}, kNow).empty());
}

TEST_CASE("unverified backups are never deleted and do not count towards keep_last") {
  std::vector<RetentionCandidate> backups{made_days_ago(0), made_days_ago(1, false), made_days_ago(20, false),
                                          made_days_ago(21)};
  auto doomed = select_backups_to_delete(backups, backups[0].name, {7, 0}, kNow);
  CHECK(doomed == std::vector<std::string>{made_days_ago(21).name});
  // keep_last 2 counts the two verified ones: nothing to delete.
  CHECK(select_backups_to_delete(backups, backups[0].name, {0, 2}, kNow).empty());
}

TEST_CASE("within one second the -N suffix orders backups for keep_last") {
  std::vector<RetentionCandidate> backups{made_days_ago(0, true, 0), made_days_ago(0, true, 1),
                                          made_days_ago(0, true, 2)};
  auto doomed = select_backups_to_delete(backups, backups[2].name, {0, 2}, kNow);
  CHECK(doomed == std::vector<std::string>{backups[0].name});
}
