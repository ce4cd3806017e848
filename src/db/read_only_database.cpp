#include "db/read_only_database.h"

#include <unistd.h>

#include <fmt/format.h>

#include "db/database.h"
#include "db/shape.h"

namespace telemetry::db {
namespace {

// nullptr for an empty database that `requirement` accepts; throws when it is not met.
std::unique_ptr<Connection> checked(std::unique_ptr<Connection> connection, const std::string& db_path,
                                        ShapeRequirement requirement) {
  if (requirement == ShapeRequirement::kAgentRuns) {
    if (!table_exists(*connection, "agent_runs")) {
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("{} is not a telemetry database (no agent_runs table)", db_path));
    }
    return connection;
  }
  const ShapeReport shape = detect_shape(*connection);
  if (shape.id == Shape::kEmpty && requirement == ShapeRequirement::kV7OrEmpty) return nullptr;
  if (shape.id != Shape::kV7) {
    throw Error(ErrorKind::kInvalidInput,
                fmt::format("database {} has the {} schema{}; run 'telemetry migrate' first", db_path,
                                   shape_name(shape.id), shape.details.empty() ? "" : " (" + shape.details + ")"));
  }
  return connection;
}

}  // namespace

std::unique_ptr<Connection> open_for_reading(const std::string& db_path, int busy_timeout_ms,
                                             ShapeRequirement requirement) {
  if (::access(db_path.c_str(), F_OK) != 0) {
    throw Error(ErrorKind::kNotFound, fmt::format("database {} does not exist", db_path));
  }
  try {
    return checked(open_read_only(db_path, busy_timeout_ms), db_path, requirement);
  } catch (const SqliteError& error) {
    throw read_failure(error, db_path);
  }
}

Error read_failure(const SqliteError& error, const std::string& db_path) {
  if (error.code() == SQLITE_NOTADB) {
    return Error(ErrorKind::kInvalidInput, fmt::format("{} is not a SQLite database", db_path));
  }
  return Error(error_kind(error), fmt::format("database {}: {}", db_path, error.what()));
}

}  // namespace telemetry::db
