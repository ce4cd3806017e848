#include "cli/exit_status.h"

#include "cli/exit_codes.h"

namespace telemetry::cli {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
    case ErrorKind::kCorrupt:
    case ErrorKind::kConflict:
      return exit_code::kDataErr;
    case ErrorKind::kNotFound:
      return exit_code::kNoInput;
    case ErrorKind::kUnavailable:
      return exit_code::kUnavailable;
    case ErrorKind::kCannotCreate:
    case ErrorKind::kDiskFull:
      return exit_code::kCantCreate;
    case ErrorKind::kIo:
    case ErrorKind::kReadOnly:
      return exit_code::kIoErr;
    case ErrorKind::kBusy:
      return exit_code::kTempFail;
    case ErrorKind::kConfig:
      return exit_code::kConfig;
    case ErrorKind::kInterrupted:
      return exit_code::kInterrupted;
    case ErrorKind::kTerminated:
      return exit_code::kTerminated;
    case ErrorKind::kInternal:
      break;
  }
  return exit_code::kSoftware;
}

int exit_code_for(const db::SqliteError& error) { return exit_code_for(db::error_kind(error)); }

int combined_exit_code(const std::vector<int>& codes) {
  for (int candidate : {70, 74, 73, 78, 69, 75, 66, 65}) {
    for (int code : codes) {
      if (code == candidate) return candidate;
    }
  }
  for (int code : codes) {
    if (code != 0) return code;  // anything unexpected still fails the run
  }
  return 0;
}

}  // namespace telemetry::cli
