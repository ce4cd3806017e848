#include <catch2/catch.hpp>

#include <fstream>

#include "db/backup/backup_name.h"
#include "temp_db.h"

using namespace telemetry::db::backup;
using std::chrono::system_clock;

namespace {
// 2026-01-14T09:15:02Z
const TimePoint kJan14 = system_clock::from_time_t(1768382102);
}  // namespace

TEST_CASE("backup names carry the UTC start time and an optional sequence") {
  CHECK(backup_file_name(kJan14) == "telemetry_20260114_091502.sqlite");
  CHECK(backup_file_name(kJan14, 2) == "telemetry_20260114_091502-2.sqlite");
  CHECK(format_utc_seconds(kJan14) == "2026-01-14T09:15:02Z");

  auto parsed = parse_backup_file_name("telemetry_20260114_091502-2.sqlite");
  REQUIRE(parsed);
  CHECK(parsed->time == kJan14);
  CHECK(parsed->sequence == 2);
  auto plain = parse_backup_file_name("telemetry_20260114_091502.sqlite");
  REQUIRE(plain);
  CHECK(plain->sequence == 0);
}

TEST_CASE("names that are not backups made by telemetry backup are not parsed") {
  for (const char* name : {"telemetry.sqlite.pre-migrate-20260114_091502.sqlite",  // docs/reference/schema.md §4.8
                           "telemetry_20260114_091502.sqlite.verified", ".telemetry_20260114_091502.sqlite.tmp-42",
                           "telemetry_20260231_091502.sqlite",  // no 31 February
                           "telemetry_20260114_251502.sqlite", "telemetry_20260114_091502-0.sqlite",
                           "telemetry_20260114_091502-.sqlite", "telemetry_2026011_091502.sqlite",
                           "telemetry_20260114_091502.db", "backup_20260114_091502.sqlite"}) {
    INFO(name);
    CHECK_FALSE(parse_backup_file_name(name));
  }
}

TEST_CASE("choosing a name adds -1, -2 when a backup of the same second exists") {
  TempDb temp;
  const std::string dir = temp.dir.string();
  CHECK(choose_backup_file_name(dir, kJan14) == "telemetry_20260114_091502.sqlite");
  std::ofstream(temp.dir / "telemetry_20260114_091502.sqlite") << "x";
  CHECK(choose_backup_file_name(dir, kJan14) == "telemetry_20260114_091502-1.sqlite");
  std::ofstream(temp.dir / "telemetry_20260114_091502-1.sqlite") << "x";
  CHECK(choose_backup_file_name(dir, kJan14) == "telemetry_20260114_091502-2.sqlite");
}
