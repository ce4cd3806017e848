#pragma once
// ingest-buffer's server mode (docs/reference/buffer-files.md §13): the states come from
// GET, decisions are made here, new runs go out as POST batches of TELEMETRY_BATCH_MAX
// and later states as PATCH, at each commit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "buffer/folding_applier.h"
#include "http/client.h"

namespace telemetry::http {

class ServerApplier : public buffer::FoldingApplier {
 public:
  ServerApplier(ApiClient& client, std::size_t batch_max);

  void commit() override;
  void abandon() override;
  std::int64_t take_late_duplicates() override;

 private:
  void update_stored(const std::string& event_id, const RunUpdate& update,
                     const buffer::ClassifiedLine& line) override;
  void write_held() override;
  void recheck_chunk(std::size_t begin, std::size_t end, std::int64_t duplicates);
  void clear_updates();

  ApiClient& client_;
  std::size_t batch_max_;
  std::vector<std::string> update_order_;
  std::unordered_map<std::string, RunUpdate> updates_;
  std::int64_t late_duplicates_ = 0;
};

// A dry run in server mode: each event's state read with GET.
buffer::StateTracker::Lookup service_state_lookup(ApiClient& client);

// The POST body of a record: every provided field, stored JSON text as the object it was.
nlohmann::ordered_json record_post_body(const RunRecord& run);
// The PATCH body of an update.
nlohmann::ordered_json update_patch_body(const RunUpdate& update);
// The merge rule's view of a run as GET returns it.
buffer::StoredState stored_state_from_json(const nlohmann::json& record);

}  // namespace telemetry::http
