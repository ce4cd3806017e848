#pragma once
// New runs held back until the next commit, in the order their events were
// first seen, so that later states of the same run fold into the one insert
// (merge_into) instead of costing an update each. FoldingApplier, the base
// of direct and server mode, keeps them here.
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/run_record.h"

namespace telemetry::buffer {

class PendingInserts {
 public:
  // `record`'s event_id must not be pending already (the StateTracker decides
  // "inserted" once per event).
  void add(RunRecord record);
  // The pending record of an event, or nullptr. Valid until the next add() or clear().
  RunRecord* find(const std::string& event_id);
  // In first-seen order.
  const std::vector<RunRecord>& records() const { return records_; }
  std::size_t size() const { return records_.size(); }
  void clear();

 private:
  std::vector<RunRecord> records_;
  std::unordered_map<std::string, std::size_t> index_by_event_;
};

}  // namespace telemetry::buffer
