// constant_time_equals (docs/reference/http-api.md §6) and Prometheus label escaping (17.3).
#include <catch2/catch.hpp>

#include "http/auth.h"
#include "http/prometheus.h"

using telemetry::http::constant_time_equals;
using telemetry::http::escape_label_value;

TEST_CASE("constant_time_equals compares byte for byte", "[auth]") {
  CHECK(constant_time_equals("s3cret", "s3cret"));
  CHECK(constant_time_equals("", ""));
  CHECK_FALSE(constant_time_equals("s3cret", "s3creT"));
  CHECK_FALSE(constant_time_equals("x3cret", "s3cret"));
  CHECK_FALSE(constant_time_equals("S3CRET", "s3cret"));
}

TEST_CASE("constant_time_equals refuses any length mismatch", "[auth]") {
  CHECK_FALSE(constant_time_equals("s3cre", "s3cret"));     // a prefix
  CHECK_FALSE(constant_time_equals("s3cret!", "s3cret"));   // an extension
  CHECK_FALSE(constant_time_equals("", "s3cret"));
  CHECK_FALSE(constant_time_equals("s3cret", ""));
  // A NUL in the candidate must not act as a terminator.
  CHECK_FALSE(constant_time_equals(std::string("s3cret\0", 7), "s3cret"));
  CHECK_FALSE(constant_time_equals(std::string("s3\0ret", 6), "s3cret"));
}

TEST_CASE("escape_label_value escapes backslash, quote and newline only", "[prometheus]") {
  CHECK(escape_label_value("crawler") == "crawler");
  CHECK(escape_label_value("a\\b") == "a\\\\b");
  CHECK(escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
  CHECK(escape_label_value("two\nlines") == "two\\nlines");
  CHECK(escape_label_value("tab\there") == "tab\there");
  CHECK(escape_label_value("\xC3\xBC" "bersetzer") == "\xC3\xBC" "bersetzer");
  CHECK(escape_label_value("\\\"\n") == "\\\\\\\"\\n");
  CHECK(escape_label_value("") == "");
}
