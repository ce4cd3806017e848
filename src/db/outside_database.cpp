#include "db/outside_database.h"

#include <fmt/format.h>

namespace telemetry::db {
namespace {

void set_option(Connection& connection, int option, int value, const char* name) {
  int in_force = -1;
  if (sqlite3_db_config(connection.handle(), option, value, &in_force) != SQLITE_OK || in_force != value) {
    throw SqliteError(SQLITE_ERROR, SQLITE_ERROR,
                      fmt::format("cannot set {} to {} on {}", name, value, connection.path()));
  }
}

}  // namespace

void harden_connection(Connection& connection) {
  set_option(connection, SQLITE_DBCONFIG_DEFENSIVE, 1, "SQLITE_DBCONFIG_DEFENSIVE");
  set_option(connection, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, "SQLITE_DBCONFIG_TRUSTED_SCHEMA");
  set_option(connection, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, "SQLITE_DBCONFIG_ENABLE_TRIGGER");
  set_option(connection, SQLITE_DBCONFIG_ENABLE_VIEW, 0, "SQLITE_DBCONFIG_ENABLE_VIEW");
}

std::unique_ptr<Connection> open_outside_database(const std::string& path, Connection::Mode mode,
                                                  int busy_timeout_ms, const StorageEnv& env) {
  auto connection = std::make_unique<Connection>(path, mode, busy_timeout_ms, env);
  harden_connection(*connection);
  return connection;
}

}  // namespace telemetry::db
