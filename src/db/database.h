#pragma once
// Opening the database the way every writing command must (docs/reference/configuration.md §4.1,
// docs/reference/schema.md §2.2): PRAGMAs applied and read back, the canonical schema created
// on an empty file, anything else that cannot be served refused.
#include <memory>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "util/sqlite_settings.h"

namespace telemetry::db {

struct ConnectionSettings {
  JournalMode journal_mode = JournalMode::kDelete;
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 30000;
};

struct ServableDatabase {
  std::unique_ptr<Connection> connection;  // the one read-write connection
  JournalMode journal_mode = JournalMode::kDelete;  // in force
  Synchronous synchronous = Synchronous::kFull;     // in force
  int schema_version = 0;                  // MAX(version) at open
  bool created = false;                    // the schema was created just now
  std::vector<std::string> warnings;       // to be logged by the caller
};

// Opens (creating the file and its directories when `create`), checks the
// shape, creates the schema on an empty database. Throws Error:
// kInvalidInput not SQLite / not servable, kNotFound missing (when !create),
// kCannotCreate, kIo, kBusy ... (db/sqlite.h error_kind).
ServableDatabase open_servable(const std::string& path, const ConnectionSettings& settings,
                               bool create, const StorageEnv& env = StorageEnv::real());

// A read-only connection for queries; never changes PRAGMAs that persist.
std::unique_ptr<Connection> open_read_only(const std::string& path, int busy_timeout_ms);


}  // namespace telemetry::db
