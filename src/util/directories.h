#pragma once
// Creating the directories that hold databases, locks and backups.
#include <string>

namespace telemetry {

// Creates `directory` and its missing parents with mode 0700 (limited by the
// umask): they hold run data. Throws Error kCannotCreate naming the directory
// that could not be made, or when `directory` exists and is not a directory.
void create_private_directories(const std::string& directory);

}  // namespace telemetry
