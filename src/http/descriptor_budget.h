#pragma once
// File descriptors: the service raises its soft RLIMIT_NOFILE to the hard
// limit at start, keeps a reserve for the database (the database file, its
// rollback journal or WAL and shared-memory files, one read connection per
// worker, backups), logging and its own event machinery, and lets client
// connections have the rest. So a flood of connections is shed at accept and
// never leaves the writer without a descriptor for its journal.
#include <cstddef>

namespace telemetry::http {

// Raises the soft limit on open files to the hard limit; returns the soft
// limit in force afterwards.
std::size_t raise_open_file_limit();

// Descriptors kept out of reach of connections with `workers` handler threads.
std::size_t reserved_descriptors(std::size_t workers);

// The default for TELEMETRY_HTTP_MAX_CONNECTIONS: what the limit leaves after
// the reserve (at least 1).
std::size_t default_max_connections(std::size_t open_file_limit, std::size_t workers);

}  // namespace telemetry::http
