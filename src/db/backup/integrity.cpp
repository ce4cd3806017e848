#include "db/backup/integrity.h"

#include <fmt/format.h>

namespace telemetry::db::backup {

IntegrityResult check_integrity(Connection& connection, bool quick, int max_problems) {
  IntegrityResult result;
  try {
    Statement statement(connection, fmt::format("PRAGMA {}({})", quick ? "quick_check" : "integrity_check",
                                                max_problems));
    while (statement.step()) result.problems.push_back(statement.column_text(0));
  } catch (const SqliteError& error) {
    if (error.code() != SQLITE_CORRUPT && error.code() != SQLITE_NOTADB) throw;
    result.problems.push_back(error.what());
  }
  result.ok = result.problems.size() == 1 && result.problems.front() == "ok";
  if (result.ok) result.problems.clear();
  return result;
}

std::map<std::string, std::int64_t> table_row_counts(Connection& connection) {
  std::vector<std::string> tables;
  {
    Statement statement(connection,
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                        "ORDER BY name");
    while (statement.step()) tables.push_back(statement.column_text(0));
  }
  std::map<std::string, std::int64_t> counts;
  for (const std::string& table : tables) {
    counts[table] = connection.query_int("SELECT count(*) FROM " + quote_identifier(table));
  }
  return counts;
}

}  // namespace telemetry::db::backup
