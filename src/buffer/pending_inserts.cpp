#include "buffer/pending_inserts.h"

namespace telemetry::buffer {

void PendingInserts::add(RunRecord record) {
  index_by_event_.emplace(record.text(RunColumn::event_id), records_.size());
  records_.push_back(std::move(record));
}

RunRecord* PendingInserts::find(const std::string& event_id) {
  const auto found = index_by_event_.find(event_id);
  return found == index_by_event_.end() ? nullptr : &records_[found->second];
}

void PendingInserts::clear() {
  records_.clear();
  index_by_event_.clear();
}

}  // namespace telemetry::buffer
