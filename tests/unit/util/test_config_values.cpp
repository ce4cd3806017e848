// Value syntax (docs/reference/configuration.md §3) and service address forms (4.2, 4.3).
#include <catch2/catch.hpp>

#include <climits>

#include "util/config_values.h"

namespace values = telemetry::config_values;
using values::IntegerCheck;

TEST_CASE("booleans: the eight words, any ASCII case, nothing else") {
  for (const char* word : {"true", "1", "yes", "on", "TRUE", "Yes", "oN"}) CHECK(values::parse_bool(word) == true);
  for (const char* word : {"false", "0", "no", "off", "FALSE", "No", "OFF"})
    CHECK(values::parse_bool(word) == false);
  for (const char* word : {"", "y", "n", "2", "enabled", "true ", " off", "flase"})
    CHECK_FALSE(values::parse_bool(word).has_value());
}

TEST_CASE("integers: optional sign, decimal digits, within range") {
  long long out = 0;
  CHECK(values::parse_integer("42", 0, 100, out) == IntegerCheck::kOk);
  CHECK(out == 42);
  CHECK(values::parse_integer("+7", 0, 100, out) == IntegerCheck::kOk);
  CHECK(out == 7);
  CHECK(values::parse_integer("-5", -10, 100, out) == IntegerCheck::kOk);
  CHECK(out == -5);
  CHECK(values::parse_integer("007", 0, 100, out) == IntegerCheck::kOk);
  CHECK(out == 7);

  for (const char* bad : {"", "+", "-", "abc", "1.5", "1e3", " 1", "1 ", "10k", "0x10", "1_000"})
    CHECK(values::parse_integer(bad, 0, 100000, out) == IntegerCheck::kNotInteger);

  CHECK(values::parse_integer("101", 0, 100, out) == IntegerCheck::kOutOfRange);
  CHECK(values::parse_integer("-1", 0, 100, out) == IntegerCheck::kOutOfRange);
  CHECK(values::parse_integer("99999999999999999999999", 0, 100, out) == IntegerCheck::kOutOfRange);
  CHECK(values::parse_integer("-9223372036854775808", LLONG_MIN, 0, out) == IntegerCheck::kOk);
  CHECK(out == LLONG_MIN);
  CHECK(values::parse_integer("9223372036854775808", 0, LLONG_MAX, out) == IntegerCheck::kOutOfRange);
}

TEST_CASE("enumerations ignore ASCII case and return the listed spelling") {
  CHECK(values::match_word("wal", {"DELETE", "WAL"}) == std::string("WAL"));
  CHECK(values::match_word("Json", {"logfmt", "json"}) == std::string("json"));
  CHECK_FALSE(values::match_word("memory", {"DELETE", "WAL"}).has_value());
}

TEST_CASE("host forms") {
  CHECK(values::is_ipv4_literal("127.0.0.1"));
  CHECK_FALSE(values::is_ipv4_literal("127.0.0"));
  CHECK(values::is_ipv6_literal("::"));
  CHECK(values::is_ipv6_literal("fe80::1"));
  CHECK_FALSE(values::is_ipv6_literal("[::1]"));
  CHECK(values::is_host_name("localhost"));
  CHECK(values::is_host_name("telemetry-1.example.org"));
  for (const char* bad : {"", "-bad", "bad-", "a..b", "a.", "under_score", "sp ace", "a/b"})
    CHECK_FALSE(values::is_host_name(bad));
}

TEST_CASE("the service URL of a listen address uses loopback for wildcards") {
  CHECK(values::url_for_listen_address("127.0.0.1", 8765) == "http://127.0.0.1:8765");
  CHECK(values::url_for_listen_address("0.0.0.0", 8765) == "http://127.0.0.1:8765");
  CHECK(values::url_for_listen_address("::", 9000) == "http://[::1]:9000");
  CHECK(values::url_for_listen_address("fe80::2", 1) == "http://[fe80::2]:1");
  CHECK(values::url_for_listen_address("box.local", 80) == "http://box.local:80");
  CHECK(values::url_for_listen_address("fe80::1%eth0", 2) == "http://[fe80::1%eth0]:2");
}

TEST_CASE("TELEMETRY_API_URL form") {
  CHECK(values::normalise_service_url("http://127.0.0.1:8765") == std::string("http://127.0.0.1:8765"));
  CHECK(values::normalise_service_url("http://127.0.0.1:8765/") == std::string("http://127.0.0.1:8765"));
  CHECK(values::normalise_service_url("HTTPS://metrics.example.org") == std::string("https://metrics.example.org"));
  CHECK(values::normalise_service_url("http://[::1]:80/") == std::string("http://[::1]:80"));
  // No scheme: http://, as curl assumes.
  CHECK(values::normalise_service_url("127.0.0.1:8765") == std::string("http://127.0.0.1:8765"));
  CHECK(values::normalise_service_url("localhost") == std::string("http://localhost"));
  for (const char* bad : {"", "localhost:80/api", "ftp://host", "http://", "http://:80", "http://host:0",
                          "http://host:65536", "http://host:port", "http://host/api", "http://host?x=1",
                          "http://user@host", "http://[::1", "http://[nothex]:80", "http://host:80:90"})
    CHECK_FALSE(values::normalise_service_url(bad).has_value());
}
