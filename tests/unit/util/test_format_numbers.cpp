#include "util/format_numbers.h"

#include <catch2/catch.hpp>

using namespace telemetry;

TEST_CASE("with_thousands groups digits by three, sign first") {
  CHECK(with_thousands(0) == "0");
  CHECK(with_thousands(999) == "999");
  CHECK(with_thousands(1000) == "1,000");
  CHECK(with_thousands(47112) == "47,112");
  CHECK(with_thousands(1843002) == "1,843,002");
  CHECK(with_thousands(-1234567) == "-1,234,567");
}

TEST_CASE("human_bytes uses binary units with one decimal") {
  CHECK(human_bytes(512) == "512 B");
  CHECK(human_bytes(1536) == "1.5 KiB");
}
