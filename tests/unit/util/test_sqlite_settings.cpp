// The one name table of each SQLite durability setting (docs/reference/configuration.md §4.1).
#include <catch2/catch.hpp>

#include "util/sqlite_settings.h"

using namespace telemetry;

TEST_CASE("journal modes read in any ASCII case and show in upper case") {
  for (const JournalMode mode : {JournalMode::kDelete, JournalMode::kTruncate, JournalMode::kPersist,
                                 JournalMode::kWal, JournalMode::kMemory, JournalMode::kOff}) {
    const std::string name = journal_mode_name(mode);
    CHECK(parse_journal_mode(name) == mode);
  }
  CHECK(std::string(journal_mode_name(JournalMode::kWal)) == "WAL");
  CHECK(parse_journal_mode("wal") == JournalMode::kWal);  // as PRAGMA journal_mode answers
  CHECK(parse_journal_mode("Truncate") == JournalMode::kTruncate);
  CHECK_FALSE(parse_journal_mode(" WAL").has_value());
  CHECK_FALSE(parse_journal_mode("").has_value());
}

TEST_CASE("synchronous reads a name or a level number, and shows the name") {
  CHECK(parse_synchronous("full") == Synchronous::kFull);
  CHECK(parse_synchronous("EXTRA") == Synchronous::kExtra);
  CHECK(parse_synchronous("0") == Synchronous::kOff);
  CHECK(parse_synchronous("1") == Synchronous::kNormal);
  CHECK(parse_synchronous("3") == Synchronous::kExtra);
  CHECK_FALSE(parse_synchronous("4").has_value());
  CHECK_FALSE(parse_synchronous("02").has_value());
  CHECK_FALSE(parse_synchronous("fullest").has_value());
  CHECK(std::string(synchronous_name(Synchronous::kNormal)) == "NORMAL");
  CHECK(synchronous_from_level(2) == Synchronous::kFull);
  CHECK_FALSE(synchronous_from_level(-1).has_value());
  CHECK_FALSE(synchronous_from_level(4).has_value());
}
