#pragma once
// docs/reference/buffer-files.md §11 applied against states that are not in a local write
// transaction: a dry run (read-only database) and server mode (GET requests).
// Each event's stored state is looked up once, then tracked in memory as the
// records of the run change it, so later lines see earlier ones.
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "buffer/merge_rule.h"

namespace telemetry::buffer {

class StateTracker {
 public:
  // The stored state of an event, or nullopt when there is no row.
  using Lookup = std::function<std::optional<StoredState>(const std::string& event_id)>;

  struct Decision {
    Outcome outcome = Outcome::kDuplicate;
    RunUpdate update;             // kUpdated: the merged fields (guards applied)
    bool stored_before = false;   // kUpdated: the row existed before this run (else our own insert)
  };

  explicit StateTracker(Lookup lookup);

  Decision decide(const RunRecord& record);
  // Forgets tracked states (after they were committed elsewhere); later
  // records look their event up again.
  void forget();
  std::size_t tracked() const { return known_.size(); }

 private:
  struct Known {
    std::optional<StoredState> state;  // nullopt: no row
    bool stored_before = false;
  };
  Lookup lookup_;
  std::unordered_map<std::string, Known> known_;
};

}  // namespace telemetry::buffer
