#pragma once
// Durability and space helpers for files telemetry creates next to the
// database: fsync of a file and of its directory (so a rename survives a power
// cut), and the free-space test made before copying.
#include <cstdint>
#include <string>

#include "util/directories.h"  // create_private_directories, used with these

namespace telemetry {

// fsync(2) the file; throws Error kIo naming the path.
void fsync_file(const std::string& path);
// fsync(2) the directory so that created, renamed and deleted entries are durable; Error kIo.
void fsync_directory(const std::string& directory);
// rename(2) then fsync the directory; Error kIo on failure.
void durable_rename(const std::string& from, const std::string& to);

// Bytes an unprivileged process may still write in the filesystem holding `directory`.
std::uint64_t available_bytes(const std::string& directory);
// Throws Error kDiskFull "not enough free space in DIR to <purpose>: needs about X, Y available"
// when fewer than needed + a safety margin are available.
void require_free_space(const std::string& directory, std::uint64_t needed, const std::string& purpose);

}  // namespace telemetry
