// db/run_queries: q of GET /api/v1/runs, a byte-wise prefix of event_id or run_id, read
// through two index ranges. Every page is compared with the same page computed the
// slow, obvious way (a byte comparison on every row), for each way plan_page picks.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "core/utf8.h"
#include "db/run_queries.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "query_plan.h"
#include "temp_db.h"

using namespace telemetry::db;

namespace {

struct Database {
  TempDb temp;
  Connection connection{temp.path, Connection::Mode::kReadWriteCreate, 1000};
  Database() { create_schema_v7(connection); }
};

// created_at grows with the id, a second apart, from 2026-01-01T00:00:00Z; start_time likewise.
void insert(Connection& connection, const std::string& event_id, const std::string& run_id,
            const std::string& status = "success", const std::string& agent = "crawler") {
  Statement statement(connection,
                      "INSERT INTO agent_runs (event_id, run_id, created_at, start_time, agent_name, job_type, status) "
                      "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', 1767225600 + ?3, 'unixepoch'), "
                      "strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', 1767225600 + ?3, 'unixepoch'), ?5, 'crawl', ?4)");
  statement.bind_text(1, event_id);
  statement.bind_text(2, run_id);
  statement.bind_int(3, connection.query_int("SELECT coalesce(max(id), 0) FROM agent_runs"));
  statement.bind_text(4, status);
  statement.bind_text(5, agent);
  statement.step();
}

// As list_runs returns them: invalid UTF-8 replaced by U+FFFD.
std::vector<std::string> event_ids(const std::vector<StoredRow>& rows) {
  std::vector<std::string> out;
  for (const StoredRow& row : rows) out.push_back(row[1].get<std::string>());  // column 1: event_id
  return out;
}

std::vector<std::string> as_returned(std::vector<std::string> ids) {
  for (std::string& id : ids) id = telemetry::replace_invalid_utf8(id);
  return ids;
}

// The page by brute force: every row's first bytes compared with q.
std::vector<std::string> expected_page(Connection& connection, const RunFilter& filter) {
  Statement statement(connection,
                      "SELECT event_id FROM agent_runs WHERE "
                      "(substr(CAST(event_id AS BLOB), 1, length(CAST(?1 AS BLOB))) = CAST(?1 AS BLOB) OR "
                      " substr(CAST(run_id AS BLOB), 1, length(CAST(?1 AS BLOB))) = CAST(?1 AS BLOB)) "
                      "AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR start_time >= ?3) "
                      "AND (?6 IS NULL OR agent_name = ?6) "
                      "ORDER BY created_at DESC, id DESC LIMIT ?4 OFFSET ?5");
  statement.bind_text(1, *filter.text);
  if (filter.status) statement.bind_text(2, *filter.status);
  if (filter.start_time_from) statement.bind_text(3, *filter.start_time_from);
  statement.bind_int(4, filter.limit);
  statement.bind_int(5, filter.offset);
  if (filter.agent_name) statement.bind_text(6, *filter.agent_name);
  std::vector<std::string> out;
  while (statement.step()) out.push_back(statement.column_text(0));
  return out;
}

RunFilter with_text(const std::string& text, std::int64_t limit = 100) {
  RunFilter filter;
  filter.text = text;
  filter.limit = limit;
  return filter;
}


}  // namespace

TEST_CASE("prefix_successor: the least string above every string with the prefix, byte-wise") {
  CHECK(prefix_successor("ab") == "ac");
  CHECK(prefix_successor("a") == "b");
  CHECK(prefix_successor("%") == "&");
  CHECK(prefix_successor("\xC3\xA9") == "\xC3\xAA");  // é: its last byte, not its code point
  CHECK(prefix_successor("a\xFF\xFF") == "b");        // trailing 0xFF bytes cannot grow
  CHECK(prefix_successor("\xFF") == std::nullopt);
  CHECK(prefix_successor("\xFF\xFF") == std::nullopt);
}

TEST_CASE("prefix_page_sql: q is a MULTI-INDEX OR of two index ranges, alone or with every other filter") {
  Database db;
  RunFilter every = with_text("run-0050");
  every.agent_name = "crawler";
  every.status = "failure";
  every.job_type = "crawl";
  every.created_after = "2026-01-01T00:00:00.000000+00:00";
  every.created_before = "2026-02-01T00:00:00.000000+00:00";
  every.start_time_from = "2026-01-01T00:00:00.000000+00:00";
  every.start_time_to = "2026-02-01T00:00:00.000000+00:00";
  for (const RunFilter& filter : {with_text("run-0050"), every}) {
    const std::string plan = plan_of(db.connection, prefix_page_sql(filter));
    INFO(plan);
    CHECK(plan.find("MULTI-INDEX OR") != std::string::npos);
    CHECK(plan.find("SEARCH agent_runs USING INDEX idx_runs_event_id (event_id>? AND event_id<?)") != std::string::npos);
    CHECK(plan.find("SEARCH agent_runs USING INDEX idx_runs_run_id (run_id>? AND run_id<?)") != std::string::npos);
    CHECK(plan.find("SCAN agent_runs") == std::string::npos);
  }
  // All 0xFF bytes, no successor: closed by x'' instead, still two index ranges.
  const std::string plan = plan_of(db.connection, prefix_page_sql(with_text("\xFF")));
  INFO(plan);
  CHECK(plan.find("MULTI-INDEX OR") != std::string::npos);
  CHECK(plan.find("SEARCH agent_runs USING INDEX idx_runs_event_id (event_id>? AND event_id<?)") != std::string::npos);
  CHECK(plan.find("SEARCH agent_runs USING INDEX idx_runs_run_id (run_id>? AND run_id<?)") != std::string::npos);
}

TEST_CASE("list_runs: q matches the start of event_id or run_id, byte for byte, never the middle") {
  Database db;
  insert(db.connection, "ev-100%-a", "run_1");
  insert(db.connection, "ev-1000-b", "runX1");
  insert(db.connection, "ev-é-c", "run-été");
  insert(db.connection, "ev-\xC3\xA9z-d", "run-2");  // the same é, then z
  insert(db.connection, "ev-f\xFF", "\xFF\xFE");     // not UTF-8: written by an older tool
  insert(db.connection, "other", "ev-100", "failure");
  struct Case {
    std::string q;
    std::vector<std::string> page;  // newest first
  };
  const std::vector<Case> cases = {
      {"ev-100%", {"ev-100%-a"}},                      // % is a character, not a wildcard
      {"run_", {"ev-100%-a"}},                         // _ likewise
      {"ev-100", {"other", "ev-1000-b", "ev-100%-a"}},  // run_id of "other", event_id of the others
      {"ev-é", {"ev-\xC3\xA9z-d", "ev-é-c"}},
      {"run-ét", {"ev-é-c"}},
      {"\xC3", {}},                      // a lone lead byte is a byte prefix of nothing here
      {"ev-\xC3", {"ev-\xC3\xA9z-d", "ev-é-c"}},  // ... but of the ids that hold é after "ev-"
      {"\xFF", {"ev-f\xFF"}},
      {"ev-f\xFF", {"ev-f\xFF"}},
      {"100", {}},                       // the middle of an id
      {"-b", {}},                        // its end
      {"EV-", {}},                       // case-sensitive
      {"no such", {}},
  };
  for (const Case& c : cases) {
    INFO(c.q);
    CHECK(plan_page(db.connection, with_text(c.q)).way == PagePlan::Way::kPrefix);
    CHECK(event_ids(list_runs(db.connection, with_text(c.q))) == as_returned(c.page));
    CHECK(expected_page(db.connection, with_text(c.q)) == c.page);
  }
  RunFilter failures = with_text("ev-100");
  failures.status = "failure";
  CHECK(event_ids(list_runs(db.connection, failures)) == std::vector<std::string>{"other"});
  RunFilter second = with_text("ev-100", 1);
  second.offset = 1;
  CHECK(event_ids(list_runs(db.connection, second)) == std::vector<std::string>{"ev-1000-b"});
}

TEST_CASE("plan_page: a common prefix walks the newest rows, and collects when they hold no page") {
  Database db;
  {
    Transaction transaction(db.connection);
    // Run ids made from a sequence, as many are: "old-" for the oldest 1500 runs, "new-" for the newest.
    for (int i = 0; i < 3000; ++i) {
      insert(db.connection, fmt::format("{:04x}-{}", (i * 7919) % 65536, i), fmt::format("{}-{:04d}", i < 1500 ? "old" : "new", i),
             i % 10 ? "success" : "failure", i % 3 ? "crawler" : "indexer");
    }
    transaction.commit();
  }
  // 3000 rows, a page of 100: the break-even point is 1000 matches (its floor).
  const PagePlan rare = plan_page(db.connection, with_text("old-01"));
  CHECK(rare.way == PagePlan::Way::kPrefix);  // 100 matches
  for (const char* q : {"new-", "old-"}) {
    INFO(q);
    const PagePlan common = plan_page(db.connection, with_text(q));
    CHECK(common.way == PagePlan::Way::kWalkThenPrefix);
    CHECK(common.index == "idx_runs_created_desc");
    CHECK(common.walk_rows == 1500);  // as many rows as the prefix has matches
    RunFilter indexer = with_text(q);
    indexer.agent_name = "indexer";
    const PagePlan by_agent = plan_page(db.connection, indexer);
    CHECK(by_agent.way == PagePlan::Way::kWalkThenPrefix);
    CHECK(by_agent.index == "idx_runs_agent_created");
    for (std::int64_t offset : {0, 50, 450, 1450, 1490}) {
      for (RunFilter filter : {with_text(q), indexer}) {
        filter.offset = offset;
        // "new-": the walk's 1500 newest rows hold every page; "old-": none, so the matches are collected.
        CHECK(event_ids(list_runs(db.connection, filter)) == as_returned(expected_page(db.connection, filter)));
      }
    }
  }
  // Another filter selecting fewer rows than the prefix: collected through its index, q filtering it.
  RunFilter window = with_text("new-");
  window.start_time_from = "2026-01-01T00:45:00.000000+00:00";  // rows 2700 on: 300 of the new ones
  const PagePlan windowed = plan_page(db.connection, window);
  CHECK(windowed.way == PagePlan::Way::kIndexed);
  CHECK(windowed.index == "idx_runs_start");
  CHECK(event_ids(list_runs(db.connection, window)) == expected_page(db.connection, window));
  CHECK(list_runs(db.connection, window).size() == 100);
  window.start_time_from = "2026-01-01T00:20:00.000000+00:00";  // rows 1200 on
  window.text = "old-";
  window.status = "failure";  // every tenth run: 300
  const PagePlan by_status = plan_page(db.connection, window);
  CHECK(by_status.way == PagePlan::Way::kIndexed);
  CHECK(by_status.index == "idx_runs_status");
  CHECK(event_ids(list_runs(db.connection, window)) == expected_page(db.connection, window));
  CHECK(list_runs(db.connection, window).size() == 30);
}

TEST_CASE("plan_page: without idx_runs_run_id (a v7 database from before it), q is a filter and still right") {
  Database db;
  for (int i = 0; i < 50; ++i) insert(db.connection, fmt::format("e-{:02d}", i), fmt::format("r-{:02d}", i));
  db.connection.exec("DROP INDEX idx_runs_run_id");
  for (const char* q : {"r-1", "e-4", "-1", "r"}) {
    INFO(q);
    const PagePlan plan = plan_page(db.connection, with_text(q));
    CHECK(plan.way == PagePlan::Way::kIndexed);
    CHECK(plan.index == "idx_runs_created_desc");
    CHECK(event_ids(list_runs(db.connection, with_text(q))) == expected_page(db.connection, with_text(q)));
  }
}
