#pragma once
// Reading stored SQL text the way docs/reference/schema.md §2.1 rule 3 compares it: comments
// removed, quoted identifiers unquoted, everything outside string literals
// lower-cased, whitespace collapsed and dropped next to "(", ")" and ",".
#include <string>
#include <string_view>
#include <vector>

namespace telemetry::db::migrations {

std::string normalize_sql(std::string_view sql);

// The expressions inside every CHECK (...) of a CREATE TABLE statement, each
// normalised, in the order they appear.
std::vector<std::string> check_expressions(std::string_view create_table_sql);

// True when `word` appears in the normalised text as a whole identifier
// (e.g. "autoincrement", or a table name inside a view's SQL).
bool contains_word(std::string_view normalized_sql, std::string_view word);

}  // namespace telemetry::db::migrations
