#include "db/backup/schema_facts.h"

namespace telemetry::db::backup {

std::vector<std::string> other_tables(Connection& connection) {
  std::vector<std::string> tables;
  Statement statement(connection,
                      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                      "AND name NOT IN ('agent_runs', 'run_events', 'commits', 'schema_migrations') ORDER BY name");
  while (statement.step()) tables.push_back(statement.column_text(0));
  return tables;
}

PageFacts page_facts(Connection& connection) {
  PageFacts facts;
  facts.page_size = connection.query_int("PRAGMA page_size");
  facts.page_count = connection.query_int("PRAGMA page_count");
  facts.freelist_count = connection.query_int("PRAGMA freelist_count");
  return facts;
}

}  // namespace telemetry::db::backup
