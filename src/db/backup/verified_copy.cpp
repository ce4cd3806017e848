#include "db/backup/verified_copy.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "db/backup/integrity.h"
#include "db/backup/verify_copy.h"
#include "db/database.h"
#include "util/error.h"
#include "util/file_sync.h"

namespace telemetry::db::backup {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A copy that failed verification: is the source itself corrupt, or did the
// copy go wrong (an I/O failure)?
[[noreturn]] void report_failed_verification(Connection& source, const std::string& problem) {
  IntegrityResult source_check = check_integrity(source, /*quick=*/true);
  if (!source_check.ok) {
    throw Error(ErrorKind::kCorrupt,
                fmt::format("database {} fails quick_check ({}); no backup was kept. Restore a good backup "
                            "or investigate with 'telemetry check'",
                            source.path(), source_check.problems.front()));
  }
  throw Error(ErrorKind::kIo, fmt::format("the copy failed verification ({}); no backup was kept", problem));
}

}  // namespace

VerifiedCopy make_verified_copy(Connection& source, TemporaryFile& temporary, const std::string& destination,
                                const VerifiedCopyOptions& options) {
  VerifiedCopy copy;
  const auto copy_start = std::chrono::steady_clock::now();
  copy.source = copy_database(source, temporary.path(), options.synchronous, options.busy_timeout_ms, options.control);
  copy.copy_seconds = seconds_since(copy_start);

  const auto verify_start = std::chrono::steady_clock::now();
  CopyVerification verification;
  try {
    verification = verify_copy(temporary.path(), copy.source, options.journal_mode, options.synchronous,
                               options.busy_timeout_ms, options.control);
  } catch (const SqliteError& failure) {
    if (failure.code() == SQLITE_INTERRUPT) throw_if_interrupted(options.control);
    // Corruption found in the copy is a failed copy (I/O), not bad input.
    const ErrorKind kind = error_kind(failure);
    throw Error(kind == ErrorKind::kCorrupt ? ErrorKind::kIo : kind, fmt::format("verifying the copy: {}", failure.what()));
  }
  if (!verification.ok) report_failed_verification(source, verification.problem);
  throw_if_interrupted(options.control);

  fsync_file(temporary.path());
  std::error_code ignored;
  copy.bytes = std::filesystem::file_size(temporary.path(), ignored);
  durable_rename(temporary.path(), destination);
  temporary.keep();
  copy.verify_seconds = seconds_since(verify_start);
  return copy;
}

}  // namespace telemetry::db::backup
