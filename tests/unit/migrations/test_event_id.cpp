#include <catch2/catch.hpp>

#include <string>

#include "db/migrations/event_id.h"
#include "db/migrations/sha1.h"

using namespace telemetry::db::migrations;

namespace {

std::string hex(const Sha1Digest& digest) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0F]);
  }
  return out;
}

}  // namespace

TEST_CASE("SHA-1 matches the FIPS 180 test vectors, including multi-block and padding edges") {
  CHECK(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(hex(sha1(std::string(1000000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  // 55, 56 and 64 bytes: the length field just fits / needs a second block.
  CHECK(hex(sha1(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  CHECK(hex(sha1(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  CHECK(hex(sha1(std::string(64, 'a'))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST_CASE("derived event_ids equal the examples of docs/reference/schema.md §4.4") {
  CHECK(event_id_for_run_id("20251213T101500Z-crawler-1a2b3c4d") == "d2fa59b0-a3f5-5bd1-8397-e610f50887f4");
  CHECK(event_id_for_run_id("nightly-report-2025-12-01") == "cecc24a8-2bba-5f3d-abd3-28f03061bca7");
  CHECK(event_id_for_run_id("legacy-rowid-17") == "212823b1-3b6d-5faf-a2ff-98e75e37db59");
  CHECK(event_id_for_id(1842) == "c45372b5-9677-5e11-b028-2442fa2b16a4");
  CHECK(event_id_for_name("telemetry:id:1842") == event_id_for_id(1842));
}

TEST_CASE("uuid5 sets version 5 and the RFC 4122 variant, lower case") {
  std::string id = uuid5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "anything");
  REQUIRE(id.size() == 36);
  CHECK(id[14] == '5');
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  CHECK(id == "65527969-1f33-5790-9dd3-dd9ad8aff794");  // Python's uuid.uuid5(NAMESPACE_URL, "anything")
  CHECK_THROWS_AS(uuid5("not-a-uuid", "x"), std::invalid_argument);
}
