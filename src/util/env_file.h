#pragma once
// The env file grammar (docs/reference/configuration.md §2). Parsing only: the caller decides
// what the keys mean, and nothing here touches the process environment.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace telemetry::env_file {

struct Entry {
  std::string value;
  int line = 0;  // 1-based, for messages such as "(.env:4)"
};

struct Parsed {
  std::map<std::string, Entry> entries;  // the last assignment of a key wins
  // One line per bad line: "<display name>:<line>: <reason>".
  std::vector<std::string> errors;
};

// `display_name` is how messages name the file (".env", or the path as given).
Parsed parse(const std::string& content, const std::string& display_name);

struct Loaded {
  Parsed parsed;
  // Set when the file could not be read: "cannot read env file <name>: <reason>".
  std::optional<std::string> read_error;
  bool missing = false;  // the file does not exist (fine for the implicit ./.env)
  bool readable_by_others = false;  // group or other read bit set
};

Loaded load(const std::string& path, const std::string& display_name);

}  // namespace telemetry::env_file
