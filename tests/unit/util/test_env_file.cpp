// Env file grammar, docs/reference/configuration.md §2: one test per rule.
#include <catch2/catch.hpp>

#include "temp_dir.h"
#include "util/env_file.h"

using telemetry::env_file::parse;

namespace {
std::string value_of(const std::string& content, const std::string& key = "KEY") {
  auto parsed = parse(content, ".env");
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.entries.count(key) == 1);
  return parsed.entries.at(key).value;
}
}  // namespace

TEST_CASE("env file: comments and blank lines are skipped, lines are numbered from 1") {
  auto parsed = parse("# comment\n\n   \n  # indented comment\nKEY=value\n", ".env");
  CHECK(parsed.errors.empty());
  REQUIRE(parsed.entries.size() == 1);
  CHECK(parsed.entries.at("KEY").value == "value");
  CHECK(parsed.entries.at("KEY").line == 5);
}

TEST_CASE("env file: export prefix and spaces around key and '=' are ignored") {
  CHECK(value_of("export KEY=value") == "value");
  CHECK(value_of("  KEY  =  value  ") == "value");
  CHECK(value_of("export   KEY = value") == "value");
  // "export" alone as a key name is still a key.
  CHECK(value_of("export=x", "export") == "x");
}

TEST_CASE("env file: a carriage return before the newline is ignored") {
  auto parsed = parse("A=1\r\nB='two'\r\n", ".env");
  CHECK(parsed.errors.empty());
  CHECK(parsed.entries.at("A").value == "1");
  CHECK(parsed.entries.at("B").value == "two");
}

TEST_CASE("env file: unquoted values are trimmed and ' #' starts a comment") {
  CHECK(value_of("KEY=a b c   ") == "a b c");
  CHECK(value_of("KEY=value # note") == "value");
  CHECK(value_of("KEY=value\t# note") == "value");
  CHECK(value_of("KEY=a#b") == "a#b");
  CHECK(value_of("KEY=#b") == "#b");
  CHECK(value_of("KEY= # only a comment") == "");
  CHECK(value_of("KEY=") == "");
}

TEST_CASE("env file: single quotes are literal") {
  CHECK(value_of(R"(KEY='a "b" \n $HOME # x')") == R"(a "b" \n $HOME # x)");
  CHECK(value_of("KEY='  padded  '  # comment") == "  padded  ");
}

TEST_CASE("env file: double quotes know exactly three escapes") {
  CHECK(value_of(R"(KEY="say \"hi\"")") == R"(say "hi")");
  CHECK(value_of(R"(KEY="back\\slash")") == R"(back\slash)");
  CHECK(value_of(R"(KEY="two\nlines")") == "two\nlines");
  CHECK(value_of(R"(KEY="keep \t as is")") == R"(keep \t as is)");
  CHECK(value_of(R"(KEY="a # not a comment" # comment)") == "a # not a comment");
}

TEST_CASE("env file: no expansion") {
  CHECK(value_of("KEY=$HOME/x") == "$HOME/x");
  CHECK(value_of("KEY=\"${HOME}\"") == "${HOME}");
}

TEST_CASE("env file: the last assignment wins") {
  auto parsed = parse("KEY=first\nKEY=second\n", ".env");
  CHECK(parsed.entries.at("KEY").value == "second");
  CHECK(parsed.entries.at("KEY").line == 2);
}

TEST_CASE("env file: every bad line is reported with file name and line number") {
  auto parsed = parse(
      "GOOD=1\n"
      "no equals sign\n"
      "1BAD=x\n"
      "BAD KEY=x\n"
      "Q='unterminated\n"
      "D=\"unterminated\n"
      "T='closed' trailing\n"
      "=empty key\n",
      "conf/telemetry.env");
  CHECK(parsed.entries.count("GOOD") == 1);
  REQUIRE(parsed.errors.size() == 7);
  CHECK(parsed.errors[0] == "conf/telemetry.env:2: expected KEY=VALUE");
  CHECK(parsed.errors[1] == "conf/telemetry.env:3: invalid key '1BAD'");
  CHECK(parsed.errors[2] == "conf/telemetry.env:4: invalid key 'BAD KEY'");
  CHECK(parsed.errors[3] == "conf/telemetry.env:5: unterminated single quote");
  CHECK(parsed.errors[4] == "conf/telemetry.env:6: unterminated double quote");
  CHECK(parsed.errors[5] == "conf/telemetry.env:7: unexpected text after the closing quote");
  CHECK(parsed.errors[6] == "conf/telemetry.env:8: invalid key ''");
}

TEST_CASE("env file: keys may use lower case, digits and underscores") {
  auto parsed = parse("_a1=x\nlower_Case9=y\n", ".env");
  CHECK(parsed.errors.empty());
  CHECK(parsed.entries.at("_a1").value == "x");
  CHECK(parsed.entries.at("lower_Case9").value == "y");
}

TEST_CASE("env file: load reports missing files and group-readable files") {
  telemetry::test::TempDir dir;
  auto missing = telemetry::env_file::load(dir / "absent.env", "absent.env");
  CHECK(missing.missing);
  REQUIRE(missing.read_error);
  CHECK(*missing.read_error == "cannot read env file absent.env: No such file or directory");

  auto private_file = telemetry::env_file::load(dir.write("a.env", "A=1\n", 0600), "a.env");
  CHECK_FALSE(private_file.read_error);
  CHECK_FALSE(private_file.readable_by_others);
  CHECK(private_file.parsed.entries.at("A").value == "1");

  auto shared_file = telemetry::env_file::load(dir.write("b.env", "", 0640), "b.env");
  CHECK_FALSE(shared_file.read_error);
  CHECK(shared_file.readable_by_others);
  CHECK(shared_file.parsed.entries.empty());

  auto directory = telemetry::env_file::load(dir.path(), "dir");
  CHECK_FALSE(directory.missing);
  CHECK(directory.read_error);
}
