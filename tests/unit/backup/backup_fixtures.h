#pragma once
// Databases with runs in them, for the backup tests.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/run_record.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/run_store.h"

namespace backup_test {

using namespace telemetry;

inline RunRecord make_run(const std::string& event_id) {
  ordered_json body{{"event_id", event_id}, {"run_id", "r-" + event_id}, {"agent_name", "crawler"},
                    {"job_type", "crawl"}, {"start_time", "2026-01-14T09:15:02+00:00"}};
  RunParseResult parsed = parse_run(body, ordered_json::array({"body"}), canonical_utc_now());
  REQUIRE(parsed.ok());
  return parsed.run;
}

inline db::ServableDatabase open_db(const std::string& path, JournalMode journal_mode = JournalMode::kDelete) {
  return db::open_servable(path, db::ConnectionSettings{journal_mode, Synchronous::kFull, 5000}, true);
}

// Creates the database if needed and inserts runs prefix-0 .. prefix-(n-1) in one transaction.
inline void insert_runs(const std::string& path, const std::string& prefix, int n) {
  db::ServableDatabase database = open_db(path);
  db::RunStore store(*database.connection);
  db::Transaction transaction(*database.connection);
  for (int i = 0; i < n; ++i) store.insert(make_run(prefix + "-" + std::to_string(i)));
  transaction.commit();
}

inline std::int64_t count_runs(const std::string& path) {
  auto connection = db::open_read_only(path, 1000);
  return connection->query_int("SELECT count(*) FROM agent_runs");
}

inline std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

}  // namespace backup_test
