#include "buffer/state_tracker.h"

namespace telemetry::buffer {

StateTracker::StateTracker(Lookup lookup) : lookup_(std::move(lookup)) {}

StateTracker::Decision StateTracker::decide(const RunRecord& record) {
  const std::string& event_id = record.text(RunColumn::event_id);
  auto found = known_.find(event_id);
  if (found == known_.end()) {
    std::optional<StoredState> stored = lookup_(event_id);
    const bool exists = stored.has_value();
    found = known_.emplace(event_id, Known{std::move(stored), exists}).first;
  }
  Known& known = found->second;
  Decision decision;
  if (!known.state) {
    decision.outcome = Outcome::kInserted;
    known.state = state_of_record(record);
    return decision;
  }
  if (!is_newer(record, *known.state)) return decision;
  decision.outcome = Outcome::kUpdated;
  decision.update = merge_update(record, *known.state);
  decision.stored_before = known.stored_before;
  known.state = state_after(std::move(*known.state), decision.update);
  return decision;
}

void StateTracker::forget() { known_.clear(); }

}  // namespace telemetry::buffer
