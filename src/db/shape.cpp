#include "db/shape.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/run_columns.h"
#include "util/ascii.h"

namespace telemetry::db {
namespace {

using NameSet = std::set<std::string>;

const NameSet kL3 = {"run_id", "schema_version", "agent_name", "agent_owner", "job_type",
                     "trigger_type", "start_time", "end_time", "status", "items_discovered",
                     "items_succeeded", "items_failed", "duration_ms", "input_summary",
                     "output_summary", "error_summary", "metrics_json", "insight_id", "product",
                     "platform", "product_family", "subdomain", "git_repo", "git_branch",
                     "git_run_tag", "host", "api_posted", "api_posted_at", "api_retry_count",
                     "created_at", "updated_at"};
const NameSet kG = {"git_commit_hash", "git_commit_source", "git_commit_author",
                    "git_commit_timestamp"};
const NameSet kW = {"website", "website_section", "item_name"};
const NameSet kG3 = {"git_commit_source", "git_commit_author", "git_commit_timestamp"};
const NameSet kEventId = {"event_id"};

NameSet united(std::initializer_list<const NameSet*> sets) {
  NameSet out;
  for (const NameSet* s : sets) out.insert(s->begin(), s->end());
  return out;
}

NameSet c47() {
  NameSet out;
  for (int i = 0; i < kRunColumnCount; ++i) out.insert(column_name(column_at(i)));
  return out;
}

NameSet s6() {
  NameSet out = c47();
  for (const char* name : {"schema_version", "updated_at", "agent_owner", "git_commit_source",
                           "git_commit_author", "git_commit_timestamp"}) {
    out.erase(name);
  }
  return out;
}

// Default value text without surrounding whitespace and one pair of parentheses.
std::string bare_default(const std::optional<std::string>& value) {
  if (!value) return "";
  std::string text = *value;
  auto trim = [](std::string& s) {
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
  };
  trim(text);
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    text = text.substr(1, text.size() - 2);
    trim(text);
  }
  return text;
}

struct KnownShape {
  Shape id;
  NameSet columns;
  bool run_id_key;  // library shapes key on run_id, service shapes on id
};

std::string describe_unknown(const NameSet& found) {
  const NameSet v6 = s6();
  const std::vector<KnownShape> known = {
      {Shape::kLibraryV3, kL3, true},
      {Shape::kLibraryV4, united({&kL3, &kG}), true},
      {Shape::kLibraryV5, united({&kL3, &kG, &kW}), true},
      {Shape::kLibraryV7, united({&kL3, &kG, &kW, &kEventId}), true},
      {Shape::kV6Original, s6(), false},
      {Shape::kV6OriginalGit, united({&v6, &kG3}), false},
      {Shape::kV7, c47(), false},
  };
  const KnownShape* nearest = nullptr;
  std::vector<std::string> best_missing, best_extra;
  for (const KnownShape& shape : known) {
    std::vector<std::string> missing, extra;
    std::set_difference(shape.columns.begin(), shape.columns.end(), found.begin(), found.end(),
                        std::back_inserter(missing));
    std::set_difference(found.begin(), found.end(), shape.columns.begin(), shape.columns.end(),
                        std::back_inserter(extra));
    if (!nearest || missing.size() + extra.size() < best_missing.size() + best_extra.size()) {
      nearest = &shape;
      best_missing = missing;
      best_extra = extra;
    }
  }
  auto list = [](const std::vector<std::string>& names) {
    return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
  };
  return fmt::format("agent_runs is nearest to {} (missing columns: {}; extra columns: {})",
                     shape_name(nearest->id), list(best_missing), list(best_extra));
}

}  // namespace

const char* shape_name(Shape shape) {
  switch (shape) {
    case Shape::kEmpty: return "empty";
    case Shape::kLibraryV3: return "library-v3";
    case Shape::kLibraryV4: return "library-v4";
    case Shape::kLibraryV5: return "library-v5";
    case Shape::kLibraryV5EventId: return "library-v5-event-id";
    case Shape::kLibraryV7: return "library-v7";
    case Shape::kV6Original: return "v6-original";
    case Shape::kV6OriginalGit: return "v6-original-git";
    case Shape::kV6Canonical: return "v6-canonical";
    case Shape::kV7: return "v7";
    case Shape::kUnknown: return "unknown";
  }
  return "unknown";
}

bool is_library_shape(Shape shape) {
  switch (shape) {
    case Shape::kLibraryV3:
    case Shape::kLibraryV4:
    case Shape::kLibraryV5:
    case Shape::kLibraryV5EventId:
    case Shape::kLibraryV7: return true;
    default: return false;
  }
}

bool table_exists(Connection& connection, const std::string& table) {
  Statement statement(connection,
                      "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1");
  statement.bind_text(1, table);
  return statement.step();
}

std::vector<ColumnInfo> table_columns(Connection& connection, const std::string& table) {
  // table_xinfo also lists hidden columns; a generated or hidden column would
  // make the shape unknown, which is what we want.
  Statement statement(connection, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?1)");
  statement.bind_text(1, table);
  std::vector<ColumnInfo> columns;
  while (statement.step()) {
    ColumnInfo info;
    info.name = statement.column_text(0);
    info.type = statement.column_text(1);
    info.not_null = statement.column_int(2) != 0;
    if (!statement.column_is_null(3)) info.default_value = statement.column_text(3);
    info.pk = static_cast<int>(statement.column_int(4));
    columns.push_back(std::move(info));
  }
  return columns;
}

ShapeReport detect_shape(Connection& connection) {
  const bool has_runs = table_exists(connection, "agent_runs");
  const bool has_other = table_exists(connection, "run_events") ||
                         table_exists(connection, "commits") ||
                         table_exists(connection, "schema_migrations");
  if (!has_runs && !has_other) return {Shape::kEmpty, ""};
  if (!has_runs) return {Shape::kUnknown, "agent_runs is missing but other telemetry tables exist"};

  const std::vector<ColumnInfo> columns = table_columns(connection, "agent_runs");
  NameSet names, pk;
  std::map<std::string, const ColumnInfo*> by_name;
  for (const ColumnInfo& column : columns) {
    names.insert(column.name);
    by_name[column.name] = &column;
    if (column.pk > 0) pk.insert(column.name);
  }

  if (pk == NameSet{"run_id"}) {
    const NameSet with_event_id = united({&kL3, &kG, &kW, &kEventId});
    if (names == kL3) return {Shape::kLibraryV3, ""};
    if (names == united({&kL3, &kG})) return {Shape::kLibraryV4, ""};
    if (names == united({&kL3, &kG, &kW})) return {Shape::kLibraryV5, ""};
    if (names == with_event_id) {
      return {by_name["event_id"]->not_null ? Shape::kLibraryV7 : Shape::kLibraryV5EventId, ""};
    }
  }
  const NameSet v6 = s6();
  const bool integer_id = pk == NameSet{"id"} && ascii::lower(by_name["id"]->type) == "integer";
  if (integer_id) {
    if (names == v6) return {Shape::kV6Original, ""};
    if (names == united({&v6, &kG3})) return {Shape::kV6OriginalGit, ""};
    if (names == c47()) {
      const bool v6_default = bare_default(by_name["schema_version"]->default_value) == "6";
      return {v6_default ? Shape::kV6Canonical : Shape::kV7, ""};
    }
  }
  return {Shape::kUnknown, describe_unknown(names)};
}

bool event_id_is_unique(Connection& connection) {
  Statement indexes(connection, "SELECT name, \"unique\" FROM pragma_index_list('agent_runs')");
  while (indexes.step()) {
    if (indexes.column_int(1) == 0) continue;
    Statement columns(connection, "SELECT name FROM pragma_index_info(?1)");
    columns.bind_text(1, indexes.column_text(0));
    std::vector<std::string> names;
    while (columns.step()) names.push_back(columns.column_text(0));
    if (names == std::vector<std::string>{"event_id"}) return true;
  }
  return false;
}

}  // namespace telemetry::db
