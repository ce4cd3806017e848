#include "buffer/direct_applier.h"

#include <fmt/format.h>

#include "db/database.h"
#include "util/error.h"

namespace telemetry::buffer {
namespace {

// At most this many inserts wait for the next write: memory stays bounded.
constexpr std::size_t kMaxHeldInserts = 4096;

Error database_failure(const db::SqliteError& error, const std::string& db_path) {
  return Error(db::error_kind(error), fmt::format("database {}: {}", db_path, error.what()));
}

// The merge rule's view of the row stored for an event.
std::optional<StoredState> stored_state(db::RunStore& store, const std::string& event_id) {
  std::optional<db::RunState> row = store.state_of(event_id);
  if (!row) return std::nullopt;
  return StoredState{row->status, row->end_time};
}

}  // namespace

DirectApplier::DirectApplier(db::Connection& connection, std::string now)
    : FoldingApplier([this](const std::string& event_id) { return stored_state(store_, event_id); },
                     kMaxHeldInserts),
      connection_(connection), store_(connection), now_(std::move(now)) {}

Outcome DirectApplier::apply(ClassifiedLine& line) {
  try {
    if (!transaction_) transaction_ = std::make_unique<db::Transaction>(connection_);
    return FoldingApplier::apply(line);
  } catch (const db::SqliteError& error) {
    throw database_failure(error, connection_.path());
  }
}

void DirectApplier::commit() {
  if (!transaction_) return;
  try {
    write_held();
    transaction_->commit();
  } catch (const db::SqliteError& error) {
    abandon();
    throw database_failure(error, connection_.path());
  }
  transaction_.reset();
  tracker().forget();  // committed: later lines read these states back; memory stays bounded
}

void DirectApplier::abandon() {
  FoldingApplier::abandon();
  transaction_.reset();  // rolls back
}

const std::string& DirectApplier::updated_at(const ClassifiedLine& line) const {
  return line.updated_at ? *line.updated_at : now_;  // docs/reference/buffer-files.md §10
}

void DirectApplier::update_stored(const std::string& event_id, const RunUpdate& update,
                                  const ClassifiedLine& line) {
  store_.update(event_id, update, updated_at(line));
}

void DirectApplier::merged_into_held(RunRecord& held, const ClassifiedLine& line) {
  held[RunColumn::updated_at] = updated_at(line);
}

void DirectApplier::write_held() {
  std::vector<const RunRecord*> runs;
  runs.reserve(held().size());
  for (const RunRecord& run : held().records()) runs.push_back(&run);
  const std::int64_t inserted = store_.insert_all(runs);
  if (inserted != static_cast<std::int64_t>(runs.size())) {
    // We hold the lock and looked every event up in this transaction.
    const std::int64_t already_stored = static_cast<std::int64_t>(runs.size()) - inserted;
    throw Error(ErrorKind::kInternal, fmt::format("internal error: {} of {} new events were already stored",
                                                         already_stored, runs.size()));
  }
  held().clear();
}

DryDirectApplier::DryDirectApplier(db::Connection* connection)
    : DecidingApplier([this](const std::string& event_id) -> std::optional<StoredState> {
        if (!store_) return std::nullopt;
        try {
          return stored_state(*store_, event_id);
        } catch (const db::SqliteError& error) {
          throw database_failure(error, db_path_);
        }
      }),
      store_(connection ? std::make_unique<db::RunStore>(*connection) : nullptr),
      db_path_(connection ? connection->path() : "") {}

}  // namespace telemetry::buffer
