#include "db/run_store.h"

#include <fmt/format.h>

namespace telemetry::db {
namespace {

// INSERT of `rows` rows; parameters numbered row by row, column by column.
std::string insert_sql(int rows) {
  std::string columns, values;
  for (int i = 1; i < kRunColumnCount; ++i) {  // every column but id
    if (i > 1) columns += ", ";
    columns += column_name(column_at(i));
  }
  for (int row = 0; row < rows; ++row) {
    values += row == 0 ? "(" : ", (";
    for (int i = 1; i < kRunColumnCount; ++i) {
      if (i > 1) values += ", ";
      values += fmt::format("?{}", row * (kRunColumnCount - 1) + i);
    }
    values += ")";
  }
  return fmt::format("INSERT INTO agent_runs ({}) VALUES {} ON CONFLICT(event_id) DO NOTHING", columns, values);
}

}  // namespace

RunStore::RunStore(Connection& connection) : connection_(connection) {}
RunStore::~RunStore() = default;

InsertOutcome RunStore::insert(const RunRecord& run) {
  if (!insert_) insert_ = std::make_unique<Statement>(connection_, insert_sql(1));
  const RunRecord* const one[] = {&run};
  return insert_rows(*insert_, one, 1) == 1 ? InsertOutcome::kInserted : InsertOutcome::kDuplicate;
}

std::int64_t RunStore::insert_all(const std::vector<const RunRecord*>& runs) {
  std::int64_t inserted = 0;
  std::size_t next = 0;
  if (runs.size() >= kRowsPerStatement) {
    if (!insert_many_) insert_many_ = std::make_unique<Statement>(connection_, insert_sql(kRowsPerStatement));
    for (; next + kRowsPerStatement <= runs.size(); next += kRowsPerStatement) {
      inserted += insert_rows(*insert_many_, &runs[next], kRowsPerStatement);
    }
  }
  for (; next < runs.size(); ++next) inserted += insert(*runs[next]) == InsertOutcome::kInserted ? 1 : 0;
  return inserted;
}

std::int64_t RunStore::insert_rows(Statement& statement, const RunRecord* const* runs, int count) {
  statement.reset();
  int parameter = 1;
  for (int row = 0; row < count; ++row) {
    const RunRecord& run = *runs[row];
    // The runs outlive step(); the next use resets (and so unbinds) first.
    // reset() left every parameter NULL, so NULL values need no call.
    for (int i = 1; i < kRunColumnCount; ++i, ++parameter) {
      if (is_null(run.values[i])) continue;
      statement.bind(parameter, run.values[i], Statement::TextLifetime::kUntilReset);
    }
  }
  statement.step();
  return connection_.changes();
}

bool RunStore::update(const std::string& event_id, const RunUpdate& update,
                      const std::string& updated_at) {
  std::string assignments;
  for (const auto& [column, value] : update) {
    assignments += fmt::format("{} = ?, ", column_name(column));
  }
  // Few distinct column sets occur (PATCH bodies, associate-commit, buffer
  // merges), so prepared statements are kept per set.
  std::unique_ptr<Statement>& cached = updates_[assignments];
  if (!cached) {
    cached = std::make_unique<Statement>(
        connection_, fmt::format("UPDATE agent_runs SET {}updated_at = ? WHERE event_id = ?", assignments));
  }
  Statement& statement = *cached;
  statement.reset();
  int index = 1;
  for (const auto& [column, value] : update) statement.bind(index++, value);
  statement.bind_text(index++, updated_at);
  statement.bind_text(index, event_id);
  statement.step();
  return connection_.changes() > 0;
}

std::optional<RunState> RunStore::state_of(const std::string& event_id) {
  if (!state_) {
    state_ = std::make_unique<Statement>(
        connection_, "SELECT run_id, status, end_time FROM agent_runs WHERE event_id = ?1");
  }
  Statement& statement = *state_;
  statement.reset();
  statement.bind_text(1, event_id);
  if (!statement.step()) return std::nullopt;
  RunState state;
  state.run_id = statement.column_text(0);
  state.status = statement.column_text(1);
  if (!statement.column_is_null(2)) state.end_time = statement.column_text(2);
  statement.reset();
  return state;
}

std::int64_t RunStore::delete_created_before(const std::string& cutoff, std::int64_t limit) {
  if (!delete_batch_) {
    delete_batch_ = std::make_unique<Statement>(
        connection_,
        "DELETE FROM agent_runs WHERE id IN "
        "(SELECT id FROM agent_runs WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)");
  }
  Statement& statement = *delete_batch_;
  statement.reset();
  statement.bind_text(1, cutoff);
  statement.bind_int(2, limit);
  statement.step();
  return connection_.changes();
}

}  // namespace telemetry::db
