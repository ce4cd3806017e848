#pragma once
// Turning the PATH arguments of ingest-buffer into the ordered list of inputs
// (docs/reference/buffer-files.md §7): directories expanded to their buffer files in
// byte order, each file once, '-' for standard input.
#include <optional>
#include <string>
#include <vector>

namespace telemetry::buffer {

struct InputSpec {
  std::string path;                    // as given or found; "-" for standard input
  bool is_stdin = false;
  bool is_active = false;              // *.jsonl.active (rename only when unchanged)
  std::optional<std::string> missing;  // why the path cannot be read (exit 66); not processed
};

struct Discovery {
  std::vector<InputSpec> inputs;
  std::optional<std::string> usage_error;  // exit 64 before anything is done
};

// `arguments` empty means `default_directory`.
Discovery discover_inputs(const std::vector<std::string>& arguments, const std::string& default_directory,
                          bool include_active);

}  // namespace telemetry::buffer
