#pragma once
// The output of ingest-buffer (docs/reference/buffer-files.md §15.1): one text line per input
// and a total line, or one JSON object with --json.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "buffer/ingest_input.h"

namespace telemetry::buffer {

struct RunDescription {
  bool server_mode = false;
  std::string database;  // direct mode
  std::string url;       // server mode
  bool dry_run = false;
};

// "<path>: 4 lines, 1 inserted, ... -> <new name>; rejected lines in <file>"
std::string input_summary_line(const InputReport& report);
// "total: 2 inputs (2 completed, 0 left), 7 lines, ..." or "total: 0 inputs".
std::string total_summary_line(const std::vector<InputReport>& reports, bool dry_run);
nlohmann::ordered_json summary_json(const RunDescription& run, const std::vector<InputReport>& reports);

}  // namespace telemetry::buffer
