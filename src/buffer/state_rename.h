#pragma once
// The .synced rename of docs/reference/buffer-files.md §7: X.jsonl.ready, X.jsonl.active
// and X.jsonl become X.jsonl.synced, or X.1.jsonl.synced, X.2... when that name
// is taken. An existing file is never replaced.
#include <optional>
#include <string>

namespace telemetry::buffer {

// The first-choice new path for `path`, or nullopt for names that are not
// renamed (*.synced, *.ndjson, other names).
std::optional<std::string> synced_path_for(const std::string& path);

// The path used when the first choice is taken: `attempt` 1 gives X.1.jsonl.synced.
std::string numbered_synced_path(const std::string& path, int attempt);

struct RenameResult {
  std::optional<std::string> renamed_to;  // nullopt when the name is not renamed
  std::optional<std::string> error;       // why the rename failed (the input is unchanged)
};

// Renames `path` to its first free .synced name and fsyncs the directory.
RenameResult rename_to_synced(const std::string& path);

// True for names ending in ".jsonl.active" (they need --include-active).
bool is_active_name(const std::string& path);
// True for quarantine files (refused as input).
bool is_quarantine_name(const std::string& path);

}  // namespace telemetry::buffer
