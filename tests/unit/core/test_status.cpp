#include <catch2/catch.hpp>

#include <string>

#include "core/status.h"

using telemetry::kStatusList;
using telemetry::normalize_status;

TEST_CASE("normalize_status maps every alias of docs/reference/http-api.md §9.5") {
  CHECK(normalize_status("running") == "running");
  CHECK(normalize_status("success") == "success");
  CHECK(normalize_status("completed") == "success");
  CHECK(normalize_status("succeeded") == "success");
  CHECK(normalize_status("failure") == "failure");
  CHECK(normalize_status("failed") == "failure");
  CHECK(normalize_status("partial") == "partial");
  CHECK(normalize_status("timeout") == "timeout");
  CHECK(normalize_status("cancelled") == "cancelled");
  CHECK(normalize_status("canceled") == "cancelled");
}

TEST_CASE("normalize_status trims ASCII whitespace and ignores ASCII case") {
  CHECK(normalize_status("  SUCCESS\t") == "success");
  CHECK(normalize_status("\n Failed \r") == "failure");
  CHECK(normalize_status("CanCeled") == "cancelled");
  CHECK(normalize_status("\f\vtimeout") == "timeout");
}

TEST_CASE("normalize_status refuses anything else") {
  CHECK(normalize_status("") == std::nullopt);
  CHECK(normalize_status("   ") == std::nullopt);
  CHECK(normalize_status("ok") == std::nullopt);
  CHECK(normalize_status("success!") == std::nullopt);
  CHECK(normalize_status("run ning") == std::nullopt);
  // Non-ASCII whitespace is not trimmed (U+00A0 no-break space).
  CHECK(normalize_status("\xC2\xA0success") == std::nullopt);
  // Non-ASCII letters are not case-folded (U+0130 capital I with dot).
  CHECK(normalize_status("FA\xC4\xB0LED") == std::nullopt);
}

TEST_CASE("kStatusList is the text of the 400 and value_error messages") {
  CHECK(std::string(kStatusList) ==
        "['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']");
}
