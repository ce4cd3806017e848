#pragma once
// The two SQLite settings that decide durability (docs/reference/configuration.md §4.1), as
// types. Each has one table of the names users write and read: upper case, as the
// settings, /health, the logs and the summaries show them.
#include <cstdint>
#include <optional>
#include <string_view>

namespace telemetry {

// PRAGMA journal_mode. The setting accepts DELETE, TRUNCATE, PERSIST and WAL; MEMORY and
// OFF can only be found in force (a crash in them can corrupt the file).
enum class JournalMode { kDelete, kTruncate, kPersist, kWal, kMemory, kOff };

const char* journal_mode_name(JournalMode mode);
// Any ASCII case ("wal", as SQLite answers, or "WAL"); nullopt for anything else.
std::optional<JournalMode> parse_journal_mode(std::string_view text);

// PRAGMA synchronous; the values are SQLite's level numbers.
enum class Synchronous { kOff = 0, kNormal = 1, kFull = 2, kExtra = 3 };

const char* synchronous_name(Synchronous level);
// A name in any ASCII case or a level number 0-3; nullopt for anything else.
std::optional<Synchronous> parse_synchronous(std::string_view text);
// The level `PRAGMA synchronous` reads back; nullopt outside 0-3.
std::optional<Synchronous> synchronous_from_level(std::int64_t level);

}  // namespace telemetry
