#pragma once
// ingest-buffer's direct mode (docs/reference/buffer-files.md §8-§12): records applied
// through RunStore, one transaction per commit interval, by the process holding the
// single-writer lock. Failures throw Error with the SQLite failure's kind.
#include <memory>
#include <string>

#include "buffer/folding_applier.h"
#include "db/run_store.h"
#include "db/sqlite.h"

namespace telemetry::buffer {

class DirectApplier : public FoldingApplier {
 public:
  // `now`: the updated_at of an update whose line has no valid one (§10).
  DirectApplier(db::Connection& connection, std::string now);

  Outcome apply(ClassifiedLine& line) override;
  void commit() override;
  void abandon() override;

 private:
  void update_stored(const std::string& event_id, const RunUpdate& update, const ClassifiedLine& line) override;
  void merged_into_held(RunRecord& held, const ClassifiedLine& line) override;
  // In first-seen order, so ids follow the input.
  void write_held() override;
  const std::string& updated_at(const ClassifiedLine& line) const;

  db::Connection& connection_;
  db::RunStore store_;
  std::string now_;
  std::unique_ptr<db::Transaction> transaction_;
};

// A dry run in direct mode: decisions against the database read without the lock;
// `connection` nullptr when there is nothing to read (a missing or empty database).
class DryDirectApplier : public DecidingApplier {
 public:
  explicit DryDirectApplier(db::Connection* connection);

 private:
  std::unique_ptr<db::RunStore> store_;
  std::string db_path_;
};

}  // namespace telemetry::buffer
