#pragma once
// Every SQL statement that changes agent_runs lives here. The writer thread
// (and the offline commands that hold the lock) are its only callers.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/run_record.h"
#include "core/run_update.h"
#include "db/sqlite.h"

namespace telemetry::db {

enum class InsertOutcome { kInserted, kDuplicate };

// Minimal view of a stored run, enough for the buffer merge rule.
struct RunState {
  std::string run_id;
  std::string status;
  std::optional<std::string> end_time;
};

class RunStore {
 public:
  explicit RunStore(Connection& connection);
  ~RunStore();

  // INSERT ... ON CONFLICT(event_id) DO NOTHING: a duplicate never changes the row.
  InsertOutcome insert(const RunRecord& run);
  // The same for many runs, in order, kRowsPerStatement rows per statement:
  // SQLite's cost per statement is about that of a row of agent_runs, so bulk
  // writers (ingest-buffer) pay it once per chunk. Returns how many were inserted.
  std::int64_t insert_all(const std::vector<const RunRecord*>& runs);
  // Sets the given columns and updated_at. Returns false when no row has event_id.
  bool update(const std::string& event_id, const RunUpdate& update, const std::string& updated_at);
  std::optional<RunState> state_of(const std::string& event_id);
  // Deletes at most `limit` rows with created_at < cutoff; returns how many.
  std::int64_t delete_created_before(const std::string& cutoff, std::int64_t limit);

 private:
  static constexpr int kRowsPerStatement = 64;  // 64 x 47 parameters, far below SQLite's limit
  std::int64_t insert_rows(Statement& statement, const RunRecord* const* runs, int count);

  Connection& connection_;
  std::unique_ptr<Statement> insert_;
  std::unique_ptr<Statement> insert_many_;
  std::unique_ptr<Statement> state_;
  std::unique_ptr<Statement> delete_batch_;
  std::map<std::string, std::unique_ptr<Statement>> updates_;  // by SET clause
};

}  // namespace telemetry::db
