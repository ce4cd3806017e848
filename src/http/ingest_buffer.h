#pragma once
// telemetry ingest-buffer without its command line (docs/reference/buffer-files.md
// §7-§15): chooses the mode (§8: --url, else the lock holder decides), builds the
// RecordApplier that writes — directly through RunStore under the lock
// (buffer/direct_applier.h), through a running service (http/server_applier.h), or
// neither for a dry run — and takes every input through buffer::ingest_input().
// It lives in http/ because it chooses between the two appliers.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "buffer/ingest_input.h"
#include "buffer/ingest_summary.h"
#include "buffer/input_discovery.h"
#include "db/database.h"

namespace telemetry::http {

struct IngestBufferOptions {
  std::string db_path;
  std::string lock_file;
  db::ConnectionSettings database;
  std::string api_url;
  bool url_given = false;  // --url or TELEMETRY_API_URL: server mode whoever holds the lock
  std::optional<std::string> auth_token;
  std::size_t batch_max = 1000;
  std::int64_t max_line_bytes = 16777216;
  bool dry_run = false;
};

// What the command shows while the inputs are processed, in this order.
struct IngestObserver {
  // Each input that cannot be read, once the mode is chosen and before any input is processed.
  std::function<void(const buffer::InputSpec&)> missing_input;
  // The input's path and the lines read so far (buffer::IngestOptions::progress).
  std::function<void(const std::string&, std::int64_t)> progress;
  // Each input's report as soon as it is done.
  std::function<void(const buffer::InputReport&)> input_done;
};

struct IngestBufferResult {
  buffer::RunDescription run;  // the mode chosen, for the summary
  std::vector<buffer::InputReport> reports;  // one per input, in order
};

// Throws util/error.h's Error when the run cannot start (the lock is held by another
// command kUnavailable, the database cannot be opened...). Failures while an input is
// processed are in its report; the first that stops the run leaves the later inputs
// "not processed".
IngestBufferResult ingest_buffer(const IngestBufferOptions& options, const std::vector<buffer::InputSpec>& inputs,
                                 const IngestObserver& observer);

}  // namespace telemetry::http
