#include <catch2/catch.hpp>

#include "core/duration.h"

using std::chrono::hours;
using telemetry::parse_duration;

TEST_CASE("parse_duration reads hours, days and weeks") {
  CHECK(parse_duration("24h") == hours(24));
  CHECK(parse_duration("1h") == hours(1));
  CHECK(parse_duration("30d") == hours(30 * 24));
  CHECK(parse_duration("7d") == hours(7 * 24));
  CHECK(parse_duration("2w") == hours(2 * 7 * 24));
  CHECK(parse_duration("007d") == hours(7 * 24));
}

TEST_CASE("parse_duration refuses everything else") {
  for (const char* text : {"", "h", "0h", "00d", "-1h", "+1h", "1", "24", "1.5h", "24 h", " 24h",
                           "24h ", "24H", "1m", "1s", "1y", "1hh", "h1", "1e3h", "１h"}) {
    INFO(text);
    CHECK(parse_duration(text) == std::nullopt);
  }
}

TEST_CASE("parse_duration refuses counts that overflow seconds") {
  CHECK(parse_duration("99999999999999999999h") == std::nullopt);
  CHECK(parse_duration("15250284452472w") == std::nullopt);  // * 604800 > int64 max
  CHECK(parse_duration("15250284452471w") == std::chrono::seconds(15250284452471LL * 604800));
  CHECK(parse_duration("2562047788015215h") == std::chrono::seconds(2562047788015215LL * 3600));
}
