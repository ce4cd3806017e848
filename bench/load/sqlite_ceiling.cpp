// SQLite's own ceiling on this machine, with telemetry's schema, PRAGMAs and
// insert statement: rows per second at N rows per commit, no HTTP involved.
//
//   sqlite_ceiling --db PATH --journal-mode DELETE --synchronous FULL --rows-per-commit 1 --seconds 5
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/run_record.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/run_store.h"

using namespace telemetry;

int main(int argc, char** argv) {
  std::string path = "/tmp/sqlite_ceiling.sqlite", journal = "DELETE", synchronous = "FULL";
  int per_commit = 1;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--db") path = value;
    else if (flag == "--journal-mode") journal = value;
    else if (flag == "--synchronous") synchronous = value;
    else if (flag == "--rows-per-commit") per_commit = std::atoi(value.c_str());
    else if (flag == "--seconds") seconds = std::atof(value.c_str());
    else return 64;
  }
  std::remove(path.c_str());
  const std::optional<JournalMode> journal_mode = parse_journal_mode(journal);
  const std::optional<Synchronous> synchronous_level = parse_synchronous(synchronous);
  if (!journal_mode || !synchronous_level) return 64;
  db::ServableDatabase database = db::open_servable(path, {*journal_mode, *synchronous_level, 30000}, true);
  db::RunStore store(*database.connection);
  long rows = 0;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    db::Transaction transaction(*database.connection);
    for (int i = 0; i < per_commit; ++i) {
      const std::string id = "ceiling-" + std::to_string(rows++);
      ordered_json body{{"event_id", id}, {"run_id", "r-" + id}, {"agent_name", "bench"}, {"job_type", "load"},
                        {"start_time", "2026-01-14T09:15:02+00:00"}, {"status", "success"},
                        {"items_succeeded", 3}, {"metrics_json", {{"pages", 3}}}};
      // Parsing is part of what the service does per event, so it is in the ceiling too.
      RunParseResult parsed = parse_run(body, ordered_json::array({"body"}), canonical_utc_now());
      store.insert(parsed.run);
    }
    transaction.commit();
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("{\"journal_mode\":\"%s\",\"synchronous\":\"%s\",\"rows_per_commit\":%d,\"rows\":%ld,"
              "\"rows_per_second\":%.1f}\n",
              journal_mode_name(database.journal_mode), synchronous_name(database.synchronous), per_commit, rows,
              static_cast<double>(rows) / elapsed);
  std::remove(path.c_str());
  return 0;
}
