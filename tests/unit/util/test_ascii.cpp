#include "util/ascii.h"

#include <catch2/catch.hpp>

using namespace telemetry;

TEST_CASE("ascii::lower and ascii::upper change ASCII letters only") {
  CHECK(ascii::lower("WAL Delete 1.x") == "wal delete 1.x");
  CHECK(ascii::upper("wal Delete 1.x") == "WAL DELETE 1.X");
  // Bytes outside ASCII (here the UTF-8 of "É" and "é") pass through whatever the locale.
  CHECK(ascii::lower("\xC3\x89t\xC3\xA9") == "\xC3\x89t\xC3\xA9");
  CHECK(ascii::upper("\xC3\x89t\xC3\xA9") == "\xC3\x89T\xC3\xA9");
  CHECK(ascii::upper("") == "");
}
