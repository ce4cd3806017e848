#include "db/migrations/canonical.h"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "db/migrations/sql_text.h"
#include "db/schema.h"
#include "util/ascii.h"

namespace telemetry::db::migrations {
namespace {

struct IndexKey {
  std::string column;
  bool descending = false;
  bool operator==(const IndexKey& other) const {
    return column == other.column && descending == other.descending;
  }
};

struct ForeignKey {
  std::string table, from, to;
  bool operator==(const ForeignKey& other) const {
    return table == other.table && from == other.from && to == other.to;
  }
};

std::string table_sql(Connection& connection, const std::string& table) {
  Statement statement(connection, "SELECT sql FROM sqlite_master WHERE type='table' AND name=?1");
  statement.bind_text(1, table);
  return statement.step() ? statement.column_text(0) : "";
}

std::vector<ForeignKey> foreign_keys(Connection& connection, const std::string& table) {
  Statement statement(connection, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq");
  statement.bind_text(1, table);
  std::vector<ForeignKey> keys;
  while (statement.step()) {
    keys.push_back({statement.column_text(0), statement.column_text(1), statement.column_text(2)});
  }
  return keys;
}

std::vector<IndexKey> index_keys(Connection& connection, const std::string& index) {
  Statement statement(connection, "SELECT name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key=1 ORDER BY seqno");
  statement.bind_text(1, index);
  std::vector<IndexKey> keys;
  while (statement.step()) {
    keys.push_back({statement.column_is_null(0) ? "<expression>" : statement.column_text(0),
                    statement.column_int(1) != 0});
  }
  return keys;
}

// dflt_value compared after trimming, removing one pair of enclosing
// parentheses, and lower-casing outside quotes (2.1 rule 2).
std::string normalize_default(const std::optional<std::string>& value) {
  if (!value) return "<none>";
  std::string text(ascii::trim(*value));
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    text = std::string(ascii::trim(std::string_view(text).substr(1, text.size() - 2)));
  }
  std::string out;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      out.push_back(c);
      if (c == quote) quote = 0;
    } else {
      if (c == '\'' || c == '"') quote = c;
      out.push_back(ascii::to_lower(c));
    }
  }
  return out;
}

std::string describe_default(const std::optional<std::string>& value) {
  return value ? *value : "none";
}

struct Reference {
  std::unique_ptr<Connection> connection;
  std::vector<std::string> tables;
  std::map<std::string, std::string> sql;
  std::map<std::string, std::vector<ColumnInfo>> columns;
  std::map<std::string, std::vector<std::string>> checks;  // sorted
  std::map<std::string, std::vector<ForeignKey>> keys;
  std::vector<CanonicalIndex> indexes;
  std::map<std::string, std::vector<IndexKey>> index_keys;
};

const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    r.connection = std::make_unique<Connection>(":memory:", Connection::Mode::kReadWriteCreate, 0);
    r.connection->exec(schema_v7_sql());
    r.tables = {"agent_runs", "run_events", "commits", "schema_migrations"};
    for (const std::string& table : r.tables) {
      r.sql[table] = table_sql(*r.connection, table);
      r.columns[table] = table_columns(*r.connection, table);
      auto checks = check_expressions(r.sql[table]);
      std::sort(checks.begin(), checks.end());
      r.checks[table] = checks;
      r.keys[table] = foreign_keys(*r.connection, table);
    }
    Statement statement(*r.connection,
                        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY rowid");
    while (statement.step()) {
      CanonicalIndex index{statement.column_text(0), statement.column_text(1), statement.column_text(2)};
      r.index_keys[index.name] = index_keys(*r.connection, index.name);
      r.indexes.push_back(std::move(index));
    }
    return r;
  }();
  return ref;
}

bool has_origin_index(Connection& connection, const std::string& table, const std::string& origin,
                      const std::string& column) {
  Statement statement(connection, "SELECT name FROM pragma_index_list(?1) WHERE origin=?2 AND \"unique\"=1");
  statement.bind_text(1, table);
  statement.bind_text(2, origin);
  while (statement.step()) {
    std::vector<IndexKey> keys = index_keys(connection, statement.column_text(0));
    if (keys.size() == 1 && keys[0].column == column) return true;
  }
  return false;
}

void compare_columns(Connection& connection, const std::string& table, CanonicalReport& report) {
  const std::vector<ColumnInfo>& expected = reference().columns.at(table);
  const std::vector<ColumnInfo> found = table_columns(connection, table);
  auto add = [&](const std::string& message) {
    report.differences.push_back({CanonicalDifference::Kind::kColumns, table, "", message});
  };
  if (found.size() != expected.size()) {
    add(fmt::format("{} has {} columns, canonical has {}", table, found.size(), expected.size()));
  }
  for (std::size_t i = 0; i < std::min(found.size(), expected.size()); ++i) {
    const ColumnInfo& f = found[i];
    const ColumnInfo& e = expected[i];
    if (f.name != e.name) {
      add(fmt::format("{} column {} is {}, canonical is {}", table, i + 1, f.name, e.name));
      continue;  // the rest of this column's comparison would only repeat it
    }
    if (ascii::lower(f.type) != ascii::lower(e.type)) {
      add(fmt::format("{}.{} is declared {}, canonical is {}", table, f.name, f.type, e.type));
    }
    if (f.not_null != e.not_null) {
      add(fmt::format("{}.{} is {}, canonical is {}", table, f.name, f.not_null ? "NOT NULL" : "nullable",
                      e.not_null ? "NOT NULL" : "nullable"));
    }
    if (f.pk != e.pk) add(fmt::format("{}.{} primary-key position {}, canonical {}", table, f.name, f.pk, e.pk));
    if (normalize_default(f.default_value) != normalize_default(e.default_value)) {
      add(fmt::format("{}.{} default is {}, canonical is {}", table, f.name, describe_default(f.default_value),
                      describe_default(e.default_value)));
    }
  }
}

void compare_table(Connection& connection, const std::string& table, CanonicalReport& report) {
  using Kind = CanonicalDifference::Kind;
  const Reference& ref = reference();
  if (!table_exists(connection, table)) {
    report.differences.push_back({Kind::kMissingTable, table, "", fmt::format("table {} is missing", table)});
    return;
  }
  compare_columns(connection, table, report);

  const std::string sql = table_sql(connection, table);
  std::vector<std::string> checks = check_expressions(sql);
  std::sort(checks.begin(), checks.end());
  if (checks != ref.checks.at(table)) {
    std::vector<std::string> missing, extra;
    const auto& expected = ref.checks.at(table);
    std::set_difference(expected.begin(), expected.end(), checks.begin(), checks.end(), std::back_inserter(missing));
    std::set_difference(checks.begin(), checks.end(), expected.begin(), expected.end(), std::back_inserter(extra));
    report.differences.push_back(
        {Kind::kChecks, table, "",
         fmt::format("{} CHECK constraints differ (missing: {}; extra: {})", table,
                     missing.empty() ? "none" : fmt::format("{}", fmt::join(missing, "; ")),
                     extra.empty() ? "none" : fmt::format("{}", fmt::join(extra, "; ")))});
  }

  if (table == "agent_runs" && !has_origin_index(connection, table, "u", "event_id")) {
    report.differences.push_back({Kind::kUniqueness, table, "", "agent_runs has no UNIQUE constraint on event_id"});
  }
  if (table == "commits" && !has_origin_index(connection, table, "pk", "commit_hash")) {
    report.differences.push_back({Kind::kUniqueness, table, "", "commits.commit_hash is not the primary key"});
  }
  if ((table == "agent_runs" || table == "run_events") && !contains_word(normalize_sql(sql), "autoincrement")) {
    report.differences.push_back({Kind::kAutoincrement, table, "", fmt::format("{}.id is not AUTOINCREMENT", table)});
  }
  if (foreign_keys(connection, table) != ref.keys.at(table)) {
    report.differences.push_back({Kind::kForeignKeys, table, "",
                                  fmt::format("{} references differ from run_id -> agent_runs(run_id)", table)});
  }
}

void compare_indexes(Connection& connection, CanonicalReport& report) {
  const Reference& ref = reference();
  for (const CanonicalIndex& index : ref.indexes) {
    auto add = [&](const std::string& message) {
      report.differences.push_back({CanonicalDifference::Kind::kIndex, index.table, index.name, message});
    };
    Statement statement(connection, "SELECT \"unique\", partial FROM pragma_index_list(?1) WHERE name=?2");
    statement.bind_text(1, index.table);
    statement.bind_text(2, index.name);
    if (!statement.step()) {
      add(fmt::format("index {} is missing", index.name));
      continue;
    }
    if (statement.column_int(0) != 0) add(fmt::format("index {} is UNIQUE", index.name));
    if (statement.column_int(1) != 0) add(fmt::format("index {} is partial", index.name));
    auto describe = [](const std::vector<IndexKey>& keys) {
      std::vector<std::string> parts;
      for (const IndexKey& key : keys) parts.push_back(key.column + (key.descending ? " DESC" : ""));
      return fmt::format("({})", fmt::join(parts, ", "));
    };
    std::vector<IndexKey> found = index_keys(connection, index.name);
    if (!(found == ref.index_keys.at(index.name))) {
      add(fmt::format("index {} is on {}, canonical is {}", index.name, describe(found),
                      describe(ref.index_keys.at(index.name))));
    }
  }
}

void check_views_and_triggers(Connection& connection, CanonicalReport& report) {
  Statement statement(connection, "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('view', 'trigger')");
  while (statement.step()) {
    const std::string type = statement.column_text(0);
    const std::string name = statement.column_text(1);
    const std::string normalized = normalize_sql(statement.column_text(3));
    for (const std::string& table : reference().tables) {
      bool refers = type == "trigger" ? ascii::lower(statement.column_text(2)) == table || contains_word(normalized, table)
                                      : contains_word(normalized, table);
      if (refers) {
        report.differences.push_back({CanonicalDifference::Kind::kViewOrTrigger, table, "",
                                      fmt::format("{} {} refers to {}", type, name, table)});
        break;
      }
    }
  }
}

}  // namespace

bool CanonicalReport::table_differs(const std::string& table) const {
  using Kind = CanonicalDifference::Kind;
  return std::any_of(differences.begin(), differences.end(), [&](const CanonicalDifference& d) {
    return d.table == table && (d.kind == Kind::kMissingTable || d.kind == Kind::kColumns || d.kind == Kind::kChecks ||
                                d.kind == Kind::kUniqueness || d.kind == Kind::kAutoincrement ||
                                d.kind == Kind::kForeignKeys);
  });
}

std::vector<std::string> CanonicalReport::index_differences() const {
  std::vector<std::string> names;
  for (const CanonicalDifference& d : differences) {
    if (d.kind == CanonicalDifference::Kind::kIndex &&
        std::find(names.begin(), names.end(), d.index) == names.end()) {
      names.push_back(d.index);
    }
  }
  return names;
}

CanonicalReport check_canonical(Connection& connection) {
  CanonicalReport report;
  for (const std::string& table : reference().tables) compare_table(connection, table, report);
  compare_indexes(connection, report);
  // A schema_migrations without a version column records nothing (rule 2 already reports it).
  bool has_version = false;
  for (const ColumnInfo& column : table_columns(connection, "schema_migrations")) {
    has_version = has_version || column.name == "version";
  }
  int version = has_version ? recorded_schema_version(connection) : 0;
  if (version != 7) {
    report.differences.push_back({CanonicalDifference::Kind::kVersion, "schema_migrations", "",
                                  fmt::format("recorded schema version is {}, canonical is 7", version)});
  }
  check_views_and_triggers(connection, report);
  return report;
}

const std::vector<std::string>& canonical_tables() { return reference().tables; }

std::string canonical_create_table(const std::string& table, const std::string& as_name) {
  std::string sql = reference().sql.at(table);
  const std::string prefix = "CREATE TABLE " + table;
  if (sql.compare(0, prefix.size(), prefix) != 0) throw std::logic_error("unexpected canonical DDL for " + table);
  return "CREATE TABLE " + as_name + sql.substr(prefix.size());
}

const std::vector<ColumnInfo>& canonical_columns(const std::string& table) { return reference().columns.at(table); }

const std::vector<CanonicalIndex>& canonical_indexes() { return reference().indexes; }

}  // namespace telemetry::db::migrations
