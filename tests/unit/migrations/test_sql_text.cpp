#include <catch2/catch.hpp>

#include "db/migrations/sql_text.h"

using namespace telemetry::db::migrations;

TEST_CASE("normalize_sql follows docs/reference/schema.md §2.1 rule 3") {
  // Case outside literals, quoted identifiers, comments, whitespace near ( ) ,
  CHECK(normalize_sql("STATUS  IN ( 'Running' ,\n 'x' )") == "status in('Running','x')");
  CHECK(normalize_sql("\"items_failed\" >= 0") == "items_failed >= 0");
  CHECK(normalize_sql("[items_failed] >= 0 -- comment\n") == "items_failed >= 0");
  CHECK(normalize_sql("`a` /* c */ >= 0") == "a >= 0");
  CHECK(normalize_sql("x = 'it''s  A'") == "x = 'it''s  A'");
}

TEST_CASE("check_expressions finds column and table CHECKs with nested parentheses") {
  auto checks = check_expressions(
      "CREATE TABLE t (a INTEGER CHECK (a >= 0), s TEXT CHECK(s IN ('x', 'check (y)')),"
      " CONSTRAINT c CHECK ((a + 1) > 0), checked INTEGER)");
  REQUIRE(checks.size() == 3);
  CHECK(checks[0] == "a >= 0");
  CHECK(checks[1] == "s in('x','check (y)')");
  CHECK(checks[2] == "(a + 1)> 0");
}

TEST_CASE("contains_word matches whole identifiers only") {
  CHECK(contains_word("id integer primary key autoincrement", "autoincrement"));
  CHECK_FALSE(contains_word("select * from agent_runs_old", "agent_runs"));
  CHECK(contains_word("select * from agent_runs where 1", "agent_runs"));
}
