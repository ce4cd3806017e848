#pragma once
// A RecordApplier over an in-memory "database": decisions by the same
// StateTracker the dry run uses, records kept until commit() like a transaction.
#include <map>

#include "buffer/ingest_input.h"
#include "buffer/state_tracker.h"
#include "util/error.h"

namespace telemetry::test {

class FakeApplier : public buffer::RecordApplier {
 public:
  FakeApplier()
      : tracker_([this](const std::string& event_id) -> std::optional<buffer::StoredState> {
          auto found = committed.find(event_id);
          if (found == committed.end()) return std::nullopt;
          return found->second;
        }) {}

  buffer::Outcome apply(buffer::ClassifiedLine& line) override {
    if (fail_after >= 0 && applied++ >= fail_after) throw Error(ErrorKind::kBusy, "database busy");
    const std::string& event_id = line.run.text(RunColumn::event_id);
    buffer::StateTracker::Decision decision = tracker_.decide(line.run);
    buffer::StoredState state = committed.count(event_id) ? committed[event_id] : buffer::StoredState{};
    auto pending_state = pending.find(event_id);
    if (pending_state != pending.end()) state = pending_state->second;
    if (decision.outcome == buffer::Outcome::kInserted) pending[event_id] = buffer::state_of_record(line.run);
    if (decision.outcome == buffer::Outcome::kUpdated) pending[event_id] = buffer::state_after(state, decision.update);
    return decision.outcome;
  }
  void commit() override {
    ++commits;
    for (auto& [id, state] : pending) committed[id] = state;
    pending.clear();
    tracker_.forget();
  }
  void abandon() override {
    ++abandons;
    pending.clear();
    tracker_.forget();
  }

  std::map<std::string, buffer::StoredState> committed;
  std::map<std::string, buffer::StoredState> pending;
  int commits = 0;
  int abandons = 0;
  int fail_after = -1;  // throw on the apply after this many
  int applied = 0;

 private:
  buffer::StateTracker tracker_;
};

}  // namespace telemetry::test
