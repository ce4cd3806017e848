#include "buffer/folding_applier.h"

namespace telemetry::buffer {

FoldingApplier::FoldingApplier(StateTracker::Lookup lookup, std::size_t max_held)
    : tracker_(std::move(lookup)), max_held_(max_held) {}

Outcome FoldingApplier::apply(ClassifiedLine& line) {
  StateTracker::Decision decision = tracker_.decide(line.run);
  if (decision.outcome == Outcome::kInserted) {
    held_.add(std::move(line.run));
    if (max_held_ > 0 && held_.size() >= max_held_) write_held();
  } else if (decision.outcome == Outcome::kUpdated) {
    const std::string& event_id = line.run.text(RunColumn::event_id);
    if (RunRecord* held = held_.find(event_id)) {
      merge_into(*held, std::move(decision.update));  // one insert carries the final state
      merged_into_held(*held, line);
    } else {
      update_stored(event_id, decision.update, line);
    }
  }
  return decision.outcome;
}

void FoldingApplier::merged_into_held(RunRecord&, const ClassifiedLine&) {}

void FoldingApplier::abandon() {
  held_.clear();
  tracker_.forget();
}

}  // namespace telemetry::buffer
