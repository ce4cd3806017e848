#include <catch2/catch.hpp>

#include <regex>

#include "core/timestamp.h"

using telemetry::canonical_utc;
using telemetry::canonical_utc_now;
using telemetry::parse_utc;
using telemetry::restore_plus_in_filter;
using telemetry::TimestampSyntax;

TEST_CASE("canonical_utc: the spec's example") {
  CHECK(canonical_utc("2026-01-14 14:45:02,5+05:30") == "2026-01-14T09:15:02.500000+00:00");
}

TEST_CASE("canonical_utc: separators") {
  CHECK(canonical_utc("2026-01-14T09:15:02") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14t09:15:02") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14 09:15:02") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14_09:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-01-1409:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-01-14  09:15:02") == std::nullopt);
}

TEST_CASE("canonical_utc: seconds and fractions") {
  CHECK(canonical_utc("2026-01-14T09:15") == "2026-01-14T09:15:00.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02.1") == "2026-01-14T09:15:02.100000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02,123") == "2026-01-14T09:15:02.123000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02.123456") == "2026-01-14T09:15:02.123456+00:00");
  // Digits past the sixth are truncated, never rounded.
  CHECK(canonical_utc("2026-01-14T09:15:02.1234569999") == "2026-01-14T09:15:02.123456+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02.999999999Z") == "2026-01-14T09:15:02.999999+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02.") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02,") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15.5") == std::nullopt);  // a fraction needs seconds
  CHECK(canonical_utc("2026-01-14T09:15:2") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T9:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T0915") == std::nullopt);
}

TEST_CASE("canonical_utc: offsets") {
  CHECK(canonical_utc("2026-01-14T09:15:02Z") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02z") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02+00:00") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02-00:00") == "2026-01-14T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02+05:30") == "2026-01-14T03:45:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02+0530") == "2026-01-14T03:45:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02+05") == "2026-01-14T04:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02-08:00") == "2026-01-14T17:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15+01:00") == "2026-01-14T08:15:00.000000+00:00");
  CHECK(canonical_utc("2026-01-14T23:30:00-01:00") == "2026-01-15T00:30:00.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02+23:59") == "2026-01-13T09:16:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T09:15:02+24:00") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02+05:60") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02+5") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02+053") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02+05:") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02+05:3") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02 +05:30") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02UTC") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02ZZ") == std::nullopt);
}

TEST_CASE("canonical_utc: ranges") {
  CHECK(canonical_utc("0001-01-01T00:00:00") == "0001-01-01T00:00:00.000000+00:00");
  CHECK(canonical_utc("9999-12-31T23:59:59.999999") == "9999-12-31T23:59:59.999999+00:00");
  CHECK(canonical_utc("0000-01-01T00:00:00") == std::nullopt);
  CHECK(canonical_utc("2026-00-14T09:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-13-14T09:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-01-00T09:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-01-32T09:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-04-31T09:15:02") == std::nullopt);
  CHECK(canonical_utc("2026-04-30T09:15:02") == "2026-04-30T09:15:02.000000+00:00");
  CHECK(canonical_utc("2026-01-14T24:00:00") == std::nullopt);
  CHECK(canonical_utc("2026-01-14T23:60:00") == std::nullopt);
  CHECK(canonical_utc("2026-12-31T23:59:60") == std::nullopt);
}

TEST_CASE("canonical_utc: leap years by the Gregorian rule") {
  CHECK(canonical_utc("2024-02-29T00:00:00") == "2024-02-29T00:00:00.000000+00:00");
  CHECK(canonical_utc("2000-02-29T00:00:00") == "2000-02-29T00:00:00.000000+00:00");
  CHECK(canonical_utc("2026-02-29T00:00:00") == std::nullopt);
  CHECK(canonical_utc("1900-02-29T00:00:00") == std::nullopt);
  CHECK(canonical_utc("2100-02-29T00:00:00") == std::nullopt);
  CHECK(canonical_utc("2026-02-28T23:00:00-02:00") == "2026-03-01T01:00:00.000000+00:00");
  CHECK(canonical_utc("2024-02-28T23:00:00-02:00") == "2024-02-29T01:00:00.000000+00:00");
}

TEST_CASE("canonical_utc: the UTC value must stay within years 0001-9999") {
  CHECK(canonical_utc("0001-01-01T00:00:00+00:01") == std::nullopt);
  CHECK(canonical_utc("0001-01-01T00:30:00+00:30") == "0001-01-01T00:00:00.000000+00:00");
  CHECK(canonical_utc("9999-12-31T23:59:59-00:01") == std::nullopt);
  CHECK(canonical_utc("9999-12-31T23:00:00-00:59") == "9999-12-31T23:59:00.000000+00:00");
}

TEST_CASE("canonical_utc: shapes that are not accepted") {
  for (const char* text : {"", " 2026-01-14T09:15:02", "2026-01-14T09:15:02 ", "20260114T091502Z",
                           "2026-W03-3T09:15:02", "2026-014T09:15:02", "26-01-14T09:15:02",
                           "2026-1-14T09:15:02", "2026/01/14T09:15:02", "+2026-01-14T09:15:02",
                           "2026-01-14T09:15:02.5.5", "2026-01-14T09:15:02Z+01",
                           "2026-01-14T０9:15:02", "2026-01-14T09:15:02\n"}) {
    INFO(text);
    CHECK(canonical_utc(text) == std::nullopt);
    CHECK(canonical_utc(text, TimestampSyntax::kFilter) == std::nullopt);
  }
}

TEST_CASE("canonical_utc: a date alone is a filter form only") {
  CHECK(canonical_utc("2026-01-14") == std::nullopt);
  CHECK(canonical_utc("2026-01-14", TimestampSyntax::kFilter) ==
        "2026-01-14T00:00:00.000000+00:00");
  CHECK(canonical_utc("2026-02-30", TimestampSyntax::kFilter) == std::nullopt);
  // An offset after a date without a time is refused.
  CHECK(canonical_utc("2026-01-14Z", TimestampSyntax::kFilter) == std::nullopt);
  CHECK(canonical_utc("2026-01-14+01:00", TimestampSyntax::kFilter) == std::nullopt);
  CHECK(canonical_utc("2026-01-14T", TimestampSyntax::kFilter) == std::nullopt);
  CHECK(canonical_utc("2026-01-14T09:15:02+05:30", TimestampSyntax::kFilter) ==
        "2026-01-14T03:45:02.000000+00:00");
}

TEST_CASE("restore_plus_in_filter reads a space before a trailing offset as '+'") {
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00 00:00") == "2026-01-14T09:00:00+00:00");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00 0530") == "2026-01-14T09:00:00+0530");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00 05") == "2026-01-14T09:00:00+05");
  CHECK(restore_plus_in_filter("2026-01-14T09:00 05:30") == "2026-01-14T09:00+05:30");
  CHECK(restore_plus_in_filter("2026-01-14 09:00:00.5 05:30") == "2026-01-14 09:00:00.5+05:30");
  CHECK(canonical_utc(restore_plus_in_filter("2026-01-14T09:00:00 05:30"),
                      TimestampSyntax::kFilter) == "2026-01-14T03:30:00.000000+00:00");
}

TEST_CASE("restore_plus_in_filter leaves other text alone") {
  // The space separator between date and time is not an offset.
  CHECK(restore_plus_in_filter("2026-01-14 09:00") == "2026-01-14 09:00");
  CHECK(restore_plus_in_filter("2026-01-14 09:00:00") == "2026-01-14 09:00:00");
  CHECK(restore_plus_in_filter("2026-01-14 09") == "2026-01-14 09");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00+00:00") == "2026-01-14T09:00:00+00:00");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00Z 05") == "2026-01-14T09:00:00Z 05");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00 5") == "2026-01-14T09:00:00 5");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00 053") == "2026-01-14T09:00:00 053");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00 ab:cd") == "2026-01-14T09:00:00 ab:cd");
  CHECK(restore_plus_in_filter("2026-01-14T09:00:00  05:00") == "2026-01-14T09:00:00  05:00");
  CHECK(restore_plus_in_filter("") == "");
  CHECK(restore_plus_in_filter("2026-01-14") == "2026-01-14");
}

TEST_CASE("canonical_utc of a time point keeps microseconds") {
  using namespace std::chrono;
  const system_clock::time_point epoch{};
  CHECK(canonical_utc(epoch) == "1970-01-01T00:00:00.000000+00:00");
  CHECK(canonical_utc(epoch + seconds(1768382102) + microseconds(418230)) ==
        "2026-01-14T09:15:02.418230+00:00");
  CHECK(canonical_utc(epoch - microseconds(1)) == "1969-12-31T23:59:59.999999+00:00");
  CHECK(canonical_utc(epoch + hours(24 * 11016)) == "2000-02-29T00:00:00.000000+00:00");
}

TEST_CASE("canonical_utc_now has the canonical shape and round-trips") {
  const std::string now = canonical_utc_now();
  CHECK(std::regex_match(now, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00)")));
  CHECK(canonical_utc(now) == now);
  CHECK(now > "2025-01-01");
}

TEST_CASE("parse_utc: the instant of a timestamp, offsets applied") {
  using std::chrono::system_clock;
  const auto micros = [](std::string_view text, TimestampSyntax syntax = TimestampSyntax::kBody) {
    auto parsed = parse_utc(text, syntax);
    REQUIRE(parsed.has_value());
    return std::chrono::duration_cast<std::chrono::microseconds>(parsed->time_since_epoch()).count();
  };
  CHECK(micros("1970-01-01T00:00:00Z") == 0);
  CHECK(micros("2026-01-01T00:00:00Z") == 1767225600LL * 1000000);
  CHECK(micros("2026-01-01T02:00:00.5+02:00") == 1767225600LL * 1000000 + 500000);
  CHECK(micros("2026-01-01", TimestampSyntax::kFilter) == 1767225600LL * 1000000);
  CHECK_FALSE(parse_utc("2026-01-01").has_value());  // a date alone is a filter's form only
  CHECK_FALSE(parse_utc("yesterday").has_value());
  // The same instant canonical_utc names.
  const auto when = parse_utc("2025-12-31T23:59:59.123456-01:00");
  REQUIRE(when.has_value());
  CHECK(canonical_utc(*when) == *canonical_utc("2025-12-31T23:59:59.123456-01:00"));
}
