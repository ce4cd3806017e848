#pragma once
// What one buffer line is (docs/reference/buffer-files.md §9 and §10): blank, a
// rejected line with its reason, a run record validated by the same parser
// as POST /api/v1/runs, or an event record (skipped).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/run_record.h"

namespace telemetry::buffer {

enum class LineKind { kBlank, kRejected, kRun, kEvent };

struct ClassifiedLine {
  LineKind kind = LineKind::kBlank;
  std::string reason;                    // kRejected: why (§9-§10)
  std::optional<std::string> event_id;   // kRejected: the object's string event_id, if any
  // kRun: the record as POST would insert it, except that updated_at already
  // follows §10's insert rule (the line's updated_at, else created_at).
  RunRecord run;
  // kRun: canonical UTC form of the line's updated_at when it is a valid
  // timestamp; the merge rule uses it (else the ingest time).
  std::optional<std::string> updated_at;
};

struct ClassifyOptions {
  std::int64_t max_line_bytes = 16777216;  // TELEMETRY_MAX_BODY_BYTES
  std::string now;                         // canonical UTC time of this pass
};

// `bytes` is the line without its '\n'; `terminated` is false for a last line
// without one (a torn write when it is not valid JSON).
ClassifiedLine classify_line(std::string_view bytes, bool terminated, const ClassifyOptions& options);

}  // namespace telemetry::buffer
