#pragma once
// The error the layers below the command line throw (docs/architecture.md,
// "Errors"): what failed, as a kind a caller can act on, and a message for the
// user that names the file, database or setting concerned. The kinds describe
// the failure, not a storage engine: SQLite's result codes are classified into
// them once (db/sqlite.h error_kind); another engine classifies its own codes
// into the same kinds. Only the command's edge (cli/exit_status.h) turns a
// kind into an exit code.
#include <stdexcept>
#include <string>

namespace telemetry {

enum class ErrorKind {
  kInvalidInput,  // data given to telemetry is not what it must be (a file that is no database, a bad value)
  kCorrupt,       // stored data is damaged (an integrity check fails)
  kConflict,      // the data breaks a rule of the stored data (a constraint)
  kNotFound,      // a file or database that must exist does not
  kCannotCreate,  // an output file or directory cannot be created or opened
  kDiskFull,      // no space left to write
  kIo,            // reading or writing failed, or a copy failed its verification
  kReadOnly,      // the storage refuses writes (permissions, read-only filesystem)
  kBusy,          // another process holds the storage, or it changed meanwhile: try again
  kUnavailable,   // a lock or service telemetry needs is held or unreachable
  kConfig,        // a setting is invalid
  kInterrupted,   // SIGINT arrived
  kTerminated,    // SIGTERM arrived
  kInternal,      // a bug, or an engine result no kind describes
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace telemetry
