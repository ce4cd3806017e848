// The created_after bound of `telemetry runs --since` (http/run_listing.h).
#include <catch2/catch.hpp>

#include "core/timestamp.h"
#include "http/run_listing.h"

using telemetry::http::created_after_bound;

TEST_CASE("--since takes a time as its canonical UTC form") {
  CHECK(created_after_bound("2026-01-14") == std::optional<std::string>("2026-01-14T00:00:00.000000+00:00"));
  CHECK(created_after_bound("2026-01-14T09:00:00+02:00") ==
        std::optional<std::string>("2026-01-14T07:00:00.000000+00:00"));
}

TEST_CASE("--since takes a duration as now minus it") {
  const std::string before = telemetry::canonical_utc(std::chrono::system_clock::now() - std::chrono::hours(24));
  const std::optional<std::string> bound = created_after_bound("24h");
  const std::string after = telemetry::canonical_utc(std::chrono::system_clock::now() - std::chrono::hours(24));
  REQUIRE(bound);
  CHECK(before <= *bound);
  CHECK(*bound <= after);
}

TEST_CASE("--since refuses anything else") {
  CHECK_FALSE(created_after_bound("yesterday"));
  CHECK_FALSE(created_after_bound(""));
  CHECK_FALSE(created_after_bound("0d"));
}
