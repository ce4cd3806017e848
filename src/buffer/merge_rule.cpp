#include "buffer/merge_rule.h"

#include <algorithm>

namespace telemetry::buffer {
namespace {

using C = RunColumn;

std::optional<std::string> text_or_null(const SqlValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return std::nullopt;
}

}  // namespace

bool is_open(const StoredState& stored) { return stored.status == "running"; }

bool has_ended(const StoredState& stored) { return stored.end_time && !stored.end_time->empty(); }

bool is_newer(const RunRecord& record, const StoredState& stored) {
  if (is_open(stored) && record.text(C::status) != "running") return true;
  return !has_ended(stored) && record.was_provided(C::end_time);
}

RunUpdate merge_update(const RunRecord& record, const StoredState& stored) {
  RunUpdate update;
  for (RunColumn column : patchable_columns()) {
    if (!record.was_provided(column)) continue;
    if (column == C::status && !(is_open(stored) && record.text(C::status) != "running")) continue;
    if (column == C::end_time && has_ended(stored)) continue;
    update.emplace_back(column, record[column]);
  }
  return update;
}

StoredState state_of_record(const RunRecord& record) {
  return StoredState{record.text(C::status), text_or_null(record[C::end_time])};
}

StoredState state_after(StoredState stored, const RunUpdate& update) {
  for (const auto& [column, value] : update) {
    if (column == C::status) stored.status = std::get<std::string>(value);
    if (column == C::end_time) stored.end_time = text_or_null(value);
  }
  return stored;
}

void merge_into(RunRecord& record, RunUpdate update) {
  for (auto& [column, value] : update) {
    record[column] = std::move(value);
    record.provided.set(index_of(column));
  }
}

void combine_updates(RunUpdate& earlier, const RunUpdate& later) {
  for (const auto& [column, value] : later) {
    auto same = std::find_if(earlier.begin(), earlier.end(), [&](const auto& field) { return field.first == column; });
    if (same != earlier.end()) same->second = value;
    else earlier.emplace_back(column, value);
  }
  // Keep PATCH table order so requests and logs read the same way every time.
  const auto& order = patchable_columns();
  auto rank = [&](RunColumn column) { return std::find(order.begin(), order.end(), column) - order.begin(); };
  std::stable_sort(earlier.begin(), earlier.end(), [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
}

}  // namespace telemetry::buffer
