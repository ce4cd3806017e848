#include "db/migrations/sql_functions.h"

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "db/migrations/event_id.h"

namespace telemetry::db::migrations {
namespace {

using Json = nlohmann::ordered_json;

std::string text_of(sqlite3_value* value) {
  const unsigned char* text = sqlite3_value_text(value);
  int size = sqlite3_value_bytes(value);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : std::string();
}

void result_text(sqlite3_context* context, const std::string& text) {
  sqlite3_result_text64(context, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void status_function(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL) return sqlite3_result_null(context);
  std::optional<std::string> status = normalize_status(text_of(args[0]));
  if (status) return result_text(context, *status);
  sqlite3_result_null(context);
}

void event_id_function(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL) return sqlite3_result_null(context);
  result_text(context, event_id_for_name(text_of(args[0])));
}

bool parses_as_object(const std::string& text, Json* out) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return false;
  if (out) *out = std::move(parsed);
  return true;
}

void is_json_object_function(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL) return sqlite3_result_int(context, 0);
  sqlite3_result_int(context, parses_as_object(text_of(args[0]), nullptr) ? 1 : 0);
}

Json json_of(sqlite3_value* value) {
  switch (sqlite3_value_type(value)) {
    case SQLITE_NULL: return nullptr;
    case SQLITE_INTEGER: return sqlite3_value_int64(value);
    case SQLITE_FLOAT: return sqlite3_value_double(value);
    default: return text_of(value);
  }
}

// (context_json, from, [column, changed, original]...)
void note_function(sqlite3_context* context, int argc, sqlite3_value** args) {
  Json original = Json::object();
  for (int i = 2; i + 2 < argc; i += 3) {
    if (sqlite3_value_int(args[i + 1]) == 0) continue;
    original[text_of(args[i])] = json_of(args[i + 2]);
  }
  if (original.empty()) return sqlite3_result_value(context, args[0]);

  Json note = Json::object();
  if (sqlite3_value_type(args[0]) != SQLITE_NULL && !parses_as_object(text_of(args[0]), &note)) {
    // The plan refuses such rows before anything is written (docs/reference/schema.md §4.4).
    return sqlite3_result_error(context, "context_json is not a JSON object on a row that needs a migration note", -1);
  }
  note["telemetry_migrate"] = Json{{"from", text_of(args[1])}, {"original", std::move(original)}};
  result_text(context, note.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void progress_function(sqlite3_context* context, int, sqlite3_value**) {
  auto* progress = static_cast<ProgressCounter*>(sqlite3_user_data(context));
  if (progress && ++progress->rows % 16384 == 0 && progress->callback) progress->callback(progress->rows);
  sqlite3_result_int(context, 1);
}

void create(Connection& connection, const char* name, int arguments,
            void (*function)(sqlite3_context*, int, sqlite3_value**), void* user_data = nullptr,
            bool deterministic = true) {
  int flags = SQLITE_UTF8 | (deterministic ? SQLITE_DETERMINISTIC : 0);
  if (sqlite3_create_function_v2(connection.handle(), name, arguments, flags, user_data, function, nullptr, nullptr,
                                 nullptr) != SQLITE_OK) {
    connection.throw_last_error(std::string("registering ") + name);
  }
}

}  // namespace

void register_migration_functions(Connection& connection, ProgressCounter* progress) {
  create(connection, "telemetry_status", 1, status_function);
  create(connection, "telemetry_event_id", 1, event_id_function);
  create(connection, "telemetry_is_json_object", 1, is_json_object_function);
  create(connection, "telemetry_migrate_note", -1, note_function);
  create(connection, "telemetry_progress", 0, progress_function, progress, /*deterministic=*/false);
}

}  // namespace telemetry::db::migrations
