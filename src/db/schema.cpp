#include "db/schema.h"

extern const char kSchemaV7Sql[];

namespace telemetry::db {

const char* schema_v7_sql() { return kSchemaV7Sql; }

void create_schema_v7(Connection& connection) {
  Transaction transaction(connection);
  connection.exec(kSchemaV7Sql);
  transaction.commit();
}

int recorded_schema_version(Connection& connection) {
  if (connection.query_int(
          "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'") == 0) {
    return 0;
  }
  return static_cast<int>(connection.query_int("SELECT coalesce(max(version), 0) FROM schema_migrations"));
}

}  // namespace telemetry::db
