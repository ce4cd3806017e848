#include "db/backup/verify_copy.h"

#include <fmt/format.h>

#include "db/backup/integrity.h"
#include "db/outside_database.h"
#include "db/pragmas.h"
#include "db/shape.h"

namespace telemetry::db::backup {
namespace {

std::string describe_counts(const std::map<std::string, std::int64_t>& counts) {
  std::string text;
  for (const auto& [table, rows] : counts) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", table, rows);
  }
  return text.empty() ? "no tables" : text;
}

}  // namespace

CopyVerification verify_copy(const std::string& path, const SourceSnapshot& expected,
                             JournalMode journal_mode, Synchronous synchronous,
                             int busy_timeout_ms, const CopyControl& control) {
  CopyVerification verification;
  // The copy may be of a file from outside (restore): nothing stored in it runs.
  auto connection = open_outside_database(path, Connection::Mode::kReadWrite, busy_timeout_ms);
  Connection& copy = *connection;
  set_synchronous(copy, synchronous);
  verification.journal_mode = set_journal_mode(copy, journal_mode);
  ReadProgress reading(copy, control);

  IntegrityResult integrity = check_integrity(copy, /*quick=*/false);
  if (!integrity.ok) {
    verification.problem = "integrity_check: " + integrity.problems.front();
    return verification;
  }
  const Shape shape = detect_shape(copy).id;
  if (shape != expected.shape) {
    verification.problem = fmt::format("schema shape {} differs from the source's {}", shape_name(shape),
                                       shape_name(expected.shape));
    return verification;
  }
  const auto counts = table_row_counts(copy);
  if (counts != expected.row_counts) {
    verification.problem = fmt::format("row counts differ: copy has {}, source had {}", describe_counts(counts),
                                       describe_counts(expected.row_counts));
    return verification;
  }
  reading.done();
  verification.ok = true;
  return verification;
}

}  // namespace telemetry::db::backup
