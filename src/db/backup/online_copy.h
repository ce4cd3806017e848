#pragma once
// A consistent copy of a live database with SQLite's online backup API.
//
// The copy is made inside one read transaction on the source, in steps:
//  - WAL mode: the read transaction is a snapshot; writers carry on meanwhile
//    and the copy never restarts.
//  - rollback-journal modes (DELETE, TRUNCATE, PERSIST): the read transaction
//    holds a SHARED lock, so a writer's COMMIT waits (within its busy timeout)
//    until the copy's last step. Copying without it would restart the backup
//    after every commit of another process and never finish under load.
// docs/perf/backup.md measures both.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "db/shape.h"
#include "db/sqlite.h"
#include "util/sqlite_settings.h"

namespace telemetry::db::backup {

struct CopyControl {
  // Called after each step with the bytes copied so far and the total.
  std::function<void(std::int64_t done_bytes, std::int64_t total_bytes)> progress;
  // Called while a whole file is read and checked (integrity_check, row
  // counts) with the bytes read so far and the file's size.
  std::function<void(std::int64_t read_bytes, std::int64_t total_bytes)> read_progress;
  // Returns 0 to carry on, or the signal that asks to stop (util/stop_signals.h).
  std::function<int()> interrupted;
  int pages_per_step = 4096;
};

// What the source held at the moment of the copy.
struct SourceSnapshot {
  Shape shape = Shape::kUnknown;                   // detect_shape
  std::map<std::string, std::int64_t> row_counts;  // table_row_counts
  std::int64_t page_count = 0;
  std::int64_t page_size = 0;
};

// Copies the main database of `source` into `dest_path`, an existing empty
// file, applying `synchronous` to the destination connection. Counts rows in
// the same read transaction, so the counts describe exactly what was copied.
// Throws Error: kInvalidInput not SQLite, kCorrupt source corrupt, kDiskFull /
// kCannotCreate destination, kIo, kBusy, or stopped_by() the interrupting signal.
SourceSnapshot copy_database(Connection& source, const std::string& dest_path, Synchronous synchronous,
                             int busy_timeout_ms, const CopyControl& control);

// Installs a progress handler that makes running statements fail with
// SQLITE_INTERRUPT once control.interrupted() answers non-zero.
void interrupt_on_signal(Connection& connection, const CopyControl& control);
// While it lives: interrupt_on_signal, plus control.read_progress told how
// much of the file `connection` has read (its pager's cache misses, so a page
// read twice counts twice: shown as at most 99% until done()).
class ReadProgress {
 public:
  ReadProgress(Connection& connection, const CopyControl& control);
  ~ReadProgress();
  ReadProgress(const ReadProgress&) = delete;
  ReadProgress& operator=(const ReadProgress&) = delete;
  void done();  // reports the whole file read

 private:
  static int handler(void* self);
  Connection& connection_;
  const CopyControl& control_;
  std::int64_t page_size_ = 0, file_bytes_ = 0;
};

// Throws stopped_by(signal) when control.interrupted() names a signal.
void throw_if_interrupted(const CopyControl& control);

}  // namespace telemetry::db::backup
