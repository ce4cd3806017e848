#include "db/database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "db/pragmas.h"
#include "db/schema.h"
#include "db/shape.h"
#include "util/directories.h"
#include "util/error.h"

namespace telemetry::db {
namespace fs = std::filesystem;

namespace {

// SQLite would create the file 0644; the database holds run data, so 0600.
void create_file_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;
    throw Error(ErrorKind::kCannotCreate,
                fmt::format("cannot create database {}: {}", path, std::strerror(errno)));
  }
  ::close(fd);
}

// Names of the 18 indexes of docs/reference/schema.md §1.3 that the file lacks, read from the
// embedded schema so the list is not written twice.
std::vector<std::string> missing_canonical_indexes(Connection& connection) {
  std::vector<std::string> missing;
  const std::string schema = schema_v7_sql();
  const std::string marker = "CREATE INDEX ";
  for (std::size_t at = schema.find(marker); at != std::string::npos; at = schema.find(marker, at + 1)) {
    const std::size_t start = at + marker.size();
    const std::string name = schema.substr(start, schema.find_first_of(" \t\n", start) - start);
    Statement statement(connection, "SELECT 1 FROM sqlite_master WHERE type='index' AND name=?1");
    statement.bind_text(1, name);
    if (!statement.step()) missing.push_back(name);
  }
  return missing;
}

}  // namespace

ServableDatabase open_servable(const std::string& path, const ConnectionSettings& settings,
                               bool create, const StorageEnv& env) {
  if (!fs::exists(path)) {
    if (!create) throw Error(ErrorKind::kNotFound, fmt::format("database {} does not exist", path));
    const std::string parent = fs::path(path).parent_path().string();
    if (!parent.empty()) create_private_directories(parent);
    create_file_private(path);
  }
  ServableDatabase db;
  try {
    db.connection = std::make_unique<Connection>(path, Connection::Mode::kReadWrite,
                                                 settings.busy_timeout_ms, env);
    Connection& connection = *db.connection;
    connection.exec("PRAGMA foreign_keys=OFF");
    // Savepoints inside the writer's transactions need statement journals;
    // keeping them in memory saves a temporary file per group commit.
    connection.exec("PRAGMA temp_store=MEMORY");
    // Reading the schema first tells "not a database" apart from PRAGMA trouble.
    ShapeReport shape = detect_shape(connection);

    db.journal_mode = set_journal_mode(connection, settings.journal_mode);
    if (db.journal_mode != settings.journal_mode) {
      db.warnings.push_back(fmt::format("journal mode {} could not be set; {} is in force",
                                        journal_mode_name(settings.journal_mode), journal_mode_name(db.journal_mode)));
    }
    db.synchronous = set_synchronous(connection, settings.synchronous);

    if (shape.id == Shape::kEmpty) {
      create_schema_v7(connection);
      db.created = true;
    } else if (shape.id == Shape::kV7) {
      if (!event_id_is_unique(connection)) {
        throw Error(ErrorKind::kInvalidInput,
                    fmt::format("database {}: event_id is not unique; run 'telemetry migrate' first", path));
      }
      for (const std::string& name : missing_canonical_indexes(connection)) {
        db.warnings.push_back(fmt::format("canonical index {} is missing; 'telemetry migrate' creates it", name));
      }
    } else if (shape.id == Shape::kUnknown) {
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("database {} has an unknown schema: {}", path, shape.details));
    } else {
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("database {} has the {} schema; run 'telemetry migrate' first", path,
                              shape_name(shape.id)));
    }
    db.schema_version = recorded_schema_version(connection);
  } catch (const SqliteError& error) {
    if (error.code() == SQLITE_NOTADB) {
      throw Error(ErrorKind::kInvalidInput, fmt::format("{} is not a SQLite database", path));
    }
    throw Error(error_kind(error), fmt::format("database {}: {}", path, error.what()));
  }
  return db;
}

std::unique_ptr<Connection> open_read_only(const std::string& path, int busy_timeout_ms) {
  auto connection = std::make_unique<Connection>(path, Connection::Mode::kReadOnly, busy_timeout_ms);
  return connection;
}

}  // namespace telemetry::db
