#pragma once
// The canonical schema (docs/reference/schema.md §1.1), embedded at build time from
// schema/telemetry_v7.sql, and the facts derived from it.
#include <string>

#include "db/sqlite.h"

namespace telemetry::db {

// The text of schema/telemetry_v7.sql.
const char* schema_v7_sql();

// Runs the canonical DDL in one transaction. Precondition: none of the four tables exists.
void create_schema_v7(Connection& connection);

// MAX(version) of schema_migrations, 0 when the table is missing or empty (docs/reference/schema.md §1.6).
int recorded_schema_version(Connection& connection);

}  // namespace telemetry::db
