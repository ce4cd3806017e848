// core/ascii.h hex_value: the one hexadecimal digit reader (percent-decoding,
// chunk sizes, \u escapes, UUIDs).
#include <catch2/catch.hpp>

#include "util/ascii.h"

using telemetry::ascii::hex_value;

TEST_CASE("hex_value reads digits of either case and refuses everything else") {
  CHECK(hex_value('0') == 0);
  CHECK(hex_value('9') == 9);
  CHECK(hex_value('a') == 10);
  CHECK(hex_value('F') == 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) CHECK(hex_value(c) == -1);
}
