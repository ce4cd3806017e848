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

TEST_CASE("parse_time_limit reads seconds, minutes, hours and days") {
  using std::chrono::seconds;
  CHECK(telemetry::parse_time_limit("90") == seconds(90));
  CHECK(telemetry::parse_time_limit("90s") == seconds(90));
  CHECK(telemetry::parse_time_limit("15m") == seconds(900));
  CHECK(telemetry::parse_time_limit("2h") == seconds(7200));
  CHECK(telemetry::parse_time_limit("1d") == seconds(86400));
  for (const char* bad : {"", "0", "0s", "m", "1.5h", "-1", "2w", "1 h", "1234567890123"}) {
    CHECK_FALSE(telemetry::parse_time_limit(bad));
  }
}
