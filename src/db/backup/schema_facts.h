#pragma once
// What `check` reports about a database beyond its shape and canonical form
// (db/migrations/canonical.h): tables outside the schema, free pages.
#include <cstdint>
#include <string>
#include <vector>

#include "db/sqlite.h"

namespace telemetry::db::backup {

// Tables other than the four of docs/reference/schema.md §1 and SQLite's own.
std::vector<std::string> other_tables(Connection& connection);

struct PageFacts {
  std::int64_t page_size = 0;
  std::int64_t page_count = 0;
  std::int64_t freelist_count = 0;
};
PageFacts page_facts(Connection& connection);

}  // namespace telemetry::db::backup
