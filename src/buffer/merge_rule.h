#pragma once
// Deciding what a buffered record does to the stored row of its event
// (docs/reference/buffer-files.md §11): insert, merge a newer state, or nothing.
// Pure functions: direct mode, dry runs and server mode all decide with them.
#include <optional>
#include <string>

#include "core/run_record.h"
#include "core/run_update.h"

namespace telemetry::buffer {

// What the rule needs to know about the row stored for an event.
struct StoredState {
  std::string status;
  std::optional<std::string> end_time;
};

enum class Outcome { kInserted, kUpdated, kDuplicate };

// open(S): status 'running'. ended(S): end_time neither NULL nor ''.
bool is_open(const StoredState& stored);
bool has_ended(const StoredState& stored);

// §11.1: R is newer than S when open(S) and R's normalised status is not
// running, or when S has not ended and R provides end_time.
bool is_newer(const RunRecord& record, const StoredState& stored);

// §11.2: the PATCH-able fields R provides, in PATCH order, with the guards on
// status (only when open(S) and R is not running) and end_time (only when not ended(S)).
RunUpdate merge_update(const RunRecord& record, const StoredState& stored);

// The state of a row inserted from `record`, and of a row after `update`.
StoredState state_of_record(const RunRecord& record);
StoredState state_after(StoredState stored, const RunUpdate& update);

// Applies `update` to a record not yet sent (server mode folds later states
// of a run into the one insert), marking the fields as provided.
void merge_into(RunRecord& record, RunUpdate update);

// Adds the fields of `later` to `earlier`, a later value replacing an earlier one.
void combine_updates(RunUpdate& earlier, const RunUpdate& later);

}  // namespace telemetry::buffer
