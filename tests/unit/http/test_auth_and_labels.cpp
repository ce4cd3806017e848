// constant_time_equals (docs/reference/http-api.md §6), Prometheus label escaping (§17.3) and
// the per-agent series cap.
#include <catch2/catch.hpp>

#include "http/auth.h"
#include "http/prometheus.h"

using telemetry::http::constant_time_equals;
using telemetry::http::agent_series;
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

TEST_CASE("agent_series keeps the busiest agents and sums the rest as other", "[prometheus]") {
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  const Counts counts{{"c", 5}, {"a", 1}, {"d", 9}, {"b", 5}, {"e", 2}};
  CHECK(agent_series(counts, 10) == Counts{{"a", 1}, {"b", 5}, {"c", 5}, {"d", 9}, {"e", 2}});
  CHECK(agent_series(counts, 5) == Counts{{"a", 1}, {"b", 5}, {"c", 5}, {"d", 9}, {"e", 2}});
  // The three busiest (b and c tie at 5: both kept), the other two summed.
  CHECK(agent_series(counts, 3) == Counts{{"b", 5}, {"c", 5}, {"d", 9}, {"other", 3}});
  // A tie at the cut goes by name: b before c.
  CHECK(agent_series(counts, 2) == Counts{{"b", 5}, {"d", 9}, {"other", 8}});
  CHECK(agent_series(counts, 0) == Counts{{"other", 22}});
  CHECK(agent_series({}, 0).empty());
  // An agent really named "other" always counts in the summed series.
  CHECK(agent_series({{"other", 4}, {"a", 1}}, 5) == Counts{{"a", 1}, {"other", 4}});
  CHECK(agent_series({{"other", 4}, {"a", 1}, {"b", 2}}, 1) == Counts{{"b", 2}, {"other", 5}});
}
