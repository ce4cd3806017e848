#include "http/server_applier.h"

#include <algorithm>

#include "buffer/merge_rule.h"

namespace telemetry::http {
namespace {

nlohmann::ordered_json column_json(RunColumn column, const SqlValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    if (column == RunColumn::api_posted) return *number != 0;
    return *number;
  }
  if (const auto* text = std::get_if<std::string>(&value)) {
    // Stored compact JSON goes back as the object it came from (docs/reference/buffer-files.md §13
    // step 4).
    if (column == RunColumn::metrics_json || column == RunColumn::context_json) {
      return nlohmann::ordered_json::parse(*text);
    }
    return *text;
  }
  return nullptr;
}

std::optional<buffer::StoredState> service_state(ApiClient& client, const std::string& event_id) {
  std::optional<nlohmann::json> record = client.get_run(event_id);
  if (!record) return std::nullopt;
  return stored_state_from_json(*record);
}

}  // namespace

nlohmann::ordered_json record_post_body(const RunRecord& run) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  for (int i = 1; i < kRunColumnCount; ++i) {
    const RunColumn column = column_at(i);
    if (run.was_provided(column)) body[column_name(column)] = column_json(column, run.values[i]);
  }
  return body;
}

nlohmann::ordered_json update_patch_body(const RunUpdate& update) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  for (const auto& [column, value] : update) body[column_name(column)] = column_json(column, value);
  return body;
}

buffer::StoredState stored_state_from_json(const nlohmann::json& record) {
  buffer::StoredState state;
  if (record.contains("status") && record["status"].is_string()) state.status = record["status"].get<std::string>();
  if (record.contains("end_time") && record["end_time"].is_string()) {
    state.end_time = record["end_time"].get<std::string>();
  }
  return state;
}

buffer::StateTracker::Lookup service_state_lookup(ApiClient& client) {
  return [&client](const std::string& event_id) { return service_state(client, event_id); };
}

ServerApplier::ServerApplier(ApiClient& client, std::size_t batch_max)
    : FoldingApplier(service_state_lookup(client), /*max_held=*/0), client_(client), batch_max_(batch_max) {}

void ServerApplier::update_stored(const std::string& event_id, const RunUpdate& update,
                                  const buffer::ClassifiedLine&) {
  auto [entry, is_new] = updates_.try_emplace(event_id);
  if (is_new) update_order_.push_back(event_id);
  buffer::combine_updates(entry->second, update);
}

void ServerApplier::commit() {
  write_held();
  for (const std::string& event_id : update_order_) {
    const RunUpdate& update = updates_.at(event_id);
    if (!update.empty()) client_.patch_run(event_id, update_patch_body(update));
  }
  clear_updates();
  tracker().forget();  // the service holds these states now; memory stays bounded
}

void ServerApplier::abandon() {
  FoldingApplier::abandon();
  clear_updates();
}

std::int64_t ServerApplier::take_late_duplicates() {
  std::int64_t late = late_duplicates_;
  late_duplicates_ = 0;
  return late;
}

void ServerApplier::write_held() {
  const std::vector<RunRecord>& records = held().records();
  for (std::size_t begin = 0; begin < records.size(); begin += batch_max_) {
    const std::size_t end = std::min(records.size(), begin + batch_max_);
    std::vector<nlohmann::ordered_json> items;
    for (std::size_t i = begin; i < end; ++i) items.push_back(record_post_body(records[i]));
    const std::int64_t duplicates = client_.post_batch(items);
    if (duplicates > 0) recheck_chunk(begin, end, duplicates);
  }
  held().clear();
}

// Another client stored some of these events meanwhile: our record is then
// merged into what is stored, by the same rule (§13 step 4).
void ServerApplier::recheck_chunk(std::size_t begin, std::size_t end, std::int64_t duplicates) {
  late_duplicates_ += duplicates;
  for (std::size_t i = begin; i < end; ++i) {
    const RunRecord& record = held().records()[i];
    const std::string& event_id = record.text(RunColumn::event_id);
    std::optional<buffer::StoredState> stored = service_state(client_, event_id);
    if (stored && buffer::is_newer(record, *stored)) {
      RunUpdate update = buffer::merge_update(record, *stored);
      if (!update.empty()) client_.patch_run(event_id, update_patch_body(update));
    }
  }
}

void ServerApplier::clear_updates() {
  update_order_.clear();
  updates_.clear();
}

}  // namespace telemetry::http
