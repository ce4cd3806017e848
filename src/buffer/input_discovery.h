#pragma once
// Turning the PATH arguments of ingest-buffer into the ordered list of inputs
// (docs/reference/buffer-files.md §7): directories expanded to their buffer files in
// byte order, each file once, '-' for standard input. Inside a directory only
// regular files are taken: a symlink there is not followed (it could lead out
// of the buffer folder to a file the tool would then copy into a .rejected
// file), and what was passed over is reported.
#include <optional>
#include <string>
#include <vector>

namespace telemetry::buffer {

struct InputSpec {
  std::string path;                    // as given or found; "-" for standard input
  bool is_stdin = false;
  bool is_active = false;              // *.jsonl.active (rename only when unchanged)
  std::optional<std::string> missing;  // why the path cannot be read (exit 66); not processed
  bool no_follow = false;              // found in a directory: opened with O_NOFOLLOW
};

struct Discovery {
  std::vector<InputSpec> inputs;
  std::optional<std::string> usage_error;  // exit 64 before anything is done
  // *.jsonl.active files found in directories and left alone (no --include-active).
  std::vector<std::string> skipped_active;
  std::vector<std::string> skipped;        // "<path>: a symbolic link, not followed", ...
};

// `arguments` empty means `default_directory`.
Discovery discover_inputs(const std::vector<std::string>& arguments, const std::string& default_directory,
                          bool include_active);

}  // namespace telemetry::buffer
