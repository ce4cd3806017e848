#pragma once
// What direct and server mode share when they apply records (docs/reference/buffer-files.md
// §11-§13): every decision comes from one StateTracker, and a new event's record is held
// back so that later states of the same run, usually a few lines further on, fold into
// that one insert instead of costing an update each. Subclasses say where stored states
// come from and how the writes leave.
#include <cstddef>
#include <string>

#include "buffer/ingest_input.h"
#include "buffer/pending_inserts.h"
#include "buffer/state_tracker.h"

namespace telemetry::buffer {

class FoldingApplier : public RecordApplier {
 public:
  Outcome apply(ClassifiedLine& line) override;
  // Drops the held inserts and the tracked states; subclasses drop their own queue too.
  void abandon() override;

 protected:
  // `max_held` > 0: write_held() runs whenever that many inserts are held.
  FoldingApplier(StateTracker::Lookup lookup, std::size_t max_held);

  // A later state of a row stored before, not held here: the subclass writes or queues it.
  virtual void update_stored(const std::string& event_id, const RunUpdate& update, const ClassifiedLine& line) = 0;
  // A held insert took a later state of its run.
  virtual void merged_into_held(RunRecord& held, const ClassifiedLine& line);
  // Writes the held inserts and clears them; also called by the subclass's commit().
  virtual void write_held() = 0;

  PendingInserts& held() { return held_; }
  StateTracker& tracker() { return tracker_; }

 private:
  StateTracker tracker_;
  PendingInserts held_;
  std::size_t max_held_;
};

// A dry run: every decision made against the states `lookup` reads, nothing written.
// Abandoning forgets the tracked states, as a real run's rollback does.
class DecidingApplier : public RecordApplier {
 public:
  explicit DecidingApplier(StateTracker::Lookup lookup) : tracker_(std::move(lookup)) {}
  Outcome apply(ClassifiedLine& line) override { return tracker_.decide(line.run).outcome; }
  void commit() override {}
  void abandon() override { tracker_.forget(); }

 private:
  StateTracker tracker_;
};

}  // namespace telemetry::buffer
