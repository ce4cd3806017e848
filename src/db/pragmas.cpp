#include "db/pragmas.h"

#include <string>

namespace telemetry::db {
namespace {

// SQLite answers with one of the six names of util/sqlite_settings.h; anything else is a
// SQLite this code does not know.
JournalMode journal_mode_from_answer(const std::string& answer) {
  if (std::optional<JournalMode> mode = parse_journal_mode(answer)) return *mode;
  throw SqliteError(SQLITE_ERROR, SQLITE_ERROR, "SQLite reported an unknown journal mode '" + answer + "'");
}

}  // namespace

JournalMode set_journal_mode(Connection& connection, JournalMode wanted) {
  const std::string pragma = std::string("PRAGMA journal_mode=") + journal_mode_name(wanted);
  return journal_mode_from_answer(connection.query_text(pragma));
}

JournalMode journal_mode_in_force(Connection& connection) {
  return journal_mode_from_answer(connection.query_text("PRAGMA journal_mode"));
}

Synchronous set_synchronous(Connection& connection, Synchronous level) {
  connection.exec(std::string("PRAGMA synchronous=") + synchronous_name(level));
  const std::int64_t in_force = connection.query_int("PRAGMA synchronous");
  if (std::optional<Synchronous> known = synchronous_from_level(in_force)) return *known;
  throw SqliteError(SQLITE_ERROR, SQLITE_ERROR,
                    "SQLite reported an unknown synchronous level " + std::to_string(in_force));
}

}  // namespace telemetry::db
