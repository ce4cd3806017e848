#pragma once
// The single writer (docs/architecture.md "The single writer"): one thread owns the one
// read-write connection. Callers submit operations and either block until the
// transaction holding them has committed (or failed), or are called back on the
// writer thread when it has (submit_async). Operations waiting in
// the queue are committed together, each under its own SAVEPOINT, so one
// failing operation cannot undo the others and one fsync covers many.
//
// Invariants:
//  - nothing is reported kOk before COMMIT returned SQLITE_OK;
//  - after an I/O-class failure the writer is failed for good: every later
//    submit returns kWriterFailed without touching the database;
//  - SQLITE_FULL and SQLITE_BUSY roll back the whole group and the writer carries on;
//  - SQLITE_CANTOPEN for want of a file descriptor (EMFILE, ENFILE) rolls the
//    group back and tries it again a few times; if descriptors stay short the
//    group is answered kBusy (503, retry later) and the writer carries on.
// tests/unit/db/test_storage_faults.cpp holds it to these through the storage
// environment its connection was opened with (db/storage_env.h).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "db/run_store.h"
#include "db/sqlite.h"
#include "util/histogram.h"

namespace telemetry::db {

// How much a failed write takes down, from its kind (sqlite.h error_kind):
// kBusy and kFull roll the group back and the writer carries on; kStorage
// (storage that cannot be read, written, opened or trusted) fails the writer
// for good; kOperation fails only the one operation, under its SAVEPOINT.
enum class FailureScope { kBusy, kFull, kStorage, kOperation };
FailureScope failure_scope(ErrorKind kind);

enum class WriteStatus {
  kOk,
  kBusy,          // database locked past the busy timeout: 503 "Database busy"
  kFull,          // disk or database full: 507
  kWriterFailed,  // failed state: 503 "Writer failed"
  kQueueFull,     // 503 "Write queue full"
  kShuttingDown,  // the writer no longer accepts work
  kError,         // this operation failed for another reason: 500
};

struct WriteResult {
  WriteStatus status = WriteStatus::kOk;
  std::string message;  // SQLite's error text for failures
  bool ok() const { return status == WriteStatus::kOk; }
};

// Runs on the writer thread inside a savepoint. Throwing SqliteError fails it.
using WriteOperation = std::function<void(RunStore& store)>;
// Called on the writer thread with an operation's result, after its
// transaction committed or failed. Keep it short: the next group waits.
using WriteDone = std::function<void(WriteResult result)>;

struct WriterCounters {
  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> busy_errors{0};
  std::atomic<std::uint64_t> full_errors{0};
  std::atomic<std::uint64_t> io_errors{0};
  Histogram operations_per_commit{commit_operation_buckets()};
  Histogram commit_seconds{commit_duration_buckets()};
};

class Writer {
 public:
  // `queue_capacity`: pending operations before submit() answers kQueueFull.
  // `max_group`: most operations committed in one transaction.
  Writer(std::unique_ptr<Connection> connection, std::size_t queue_capacity,
         std::size_t max_group = 1024);
  ~Writer();  // stop()s

  void start();
  // Stops accepting work, commits everything already queued, joins the thread.
  void stop();

  // Blocks until the operation's transaction committed or failed.
  WriteResult submit(WriteOperation operation);
  // Queues the operation and returns at once; `done` gets its result later.
  // An operation refused outright (writer failed, stopping, queue full) is
  // not queued: the refusal is returned and `done` is never called.
  std::optional<WriteResult> submit_async(WriteOperation operation, WriteDone done);

  bool failed() const { return failed_.load(); }
  std::string failure_reason() const;
  std::size_t queue_depth() const;
  const WriterCounters& counters() const { return counters_; }
  // Increases with every commit; readers use it to invalidate caches.
  std::uint64_t generation() const { return counters_.commits.load(); }

 private:
  struct Pending {
    WriteOperation operation;
    WriteDone done;
    WriteResult result;
  };
  using Group = std::deque<std::shared_ptr<Pending>>;

  void run();
  void commit_group(Group& group);
  void commit_once(Group& group);
  void fail_group(Group& group, const SqliteError& error);
  void rollback_if_open();

  std::unique_ptr<Connection> connection_;
  std::unique_ptr<RunStore> store_;
  const std::size_t queue_capacity_;
  const std::size_t max_group_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<bool> failed_{false};
  std::string failure_reason_;  // guarded by mutex_
  WriterCounters counters_;
};

}  // namespace telemetry::db
