#pragma once
// What SQLite plans for a statement, for tests that hold a query to its index.
#include <string>

#include "db/sqlite.h"

// The detail column of EXPLAIN QUERY PLAN, one line per step.
inline std::string plan_of(telemetry::db::Connection& connection, const std::string& sql) {
  telemetry::db::Statement explain(connection, "EXPLAIN QUERY PLAN " + sql);
  std::string plan;
  while (explain.step()) plan += explain.column_text(3) + "\n";
  return plan;
}
