#pragma once
// Appending run records to buffer files exactly as the Python client does
// (docs/reference/buffer-files.md §2-§5), so `telemetry ingest-buffer` delivers them:
// the newest *.jsonl.active file of the directory (created when there is none,
// rotated to .ready at 10 MiB or 24 h), one 47-key line per record in
// json.dumps style (", " and ": " separators, non-ASCII as \uXXXX).
#include <chrono>
#include <optional>
#include <string>

#include "core/run_record.h"

namespace telemetry::buffer {

// The 47-key line (without its '\n') for a validated run; `updated_at` is the
// client time the record was last changed.
std::string client_line(const RunRecord& run);

// A timestamp as the client writes it: UTC, "+00:00", six fraction digits,
// or none when the microseconds are zero.
std::string client_timestamp(std::chrono::system_clock::time_point when);

struct AppendResult {
  std::string file;                   // the file the line went to
  std::optional<std::string> error;   // set when the line could not be written
};

// Appends `line` + '\n' to the active buffer file of `directory` (created
// with its parents when missing). One write() per line, so concurrent
// appenders do not interleave; a line that lands in a file renamed meanwhile
// (by rotation or `ingest-buffer --include-active`) is written again to a new
// active file.
AppendResult append_line(const std::string& directory, const std::string& line,
                         std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace telemetry::buffer
