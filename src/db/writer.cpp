#include "db/writer.h"

#include <algorithm>
#include <chrono>
#include <future>

#include "util/log.h"

namespace telemetry::db {

FailureScope failure_scope(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBusy:
      return FailureScope::kBusy;
    case ErrorKind::kDiskFull:
      return FailureScope::kFull;
    case ErrorKind::kIo:
    case ErrorKind::kCorrupt:
    case ErrorKind::kCannotCreate:
    case ErrorKind::kReadOnly:
      return FailureScope::kStorage;
    default:
      return FailureScope::kOperation;
  }
}

Writer::Writer(std::unique_ptr<Connection> connection, std::size_t queue_capacity,
               std::size_t max_group)
    : connection_(std::move(connection)),
      store_(std::make_unique<RunStore>(*connection_)),
      queue_capacity_(queue_capacity),
      max_group_(max_group) {}

Writer::~Writer() { stop(); }

void Writer::start() { thread_ = std::thread([this] { run(); }); }

void Writer::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Writer::failure_reason() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_reason_;
}

std::size_t Writer::queue_depth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

WriteResult Writer::submit(WriteOperation operation) {
  // Shared with the callback: the writer may still be inside set_value()
  // when this thread wakes and returns.
  auto result = std::make_shared<std::promise<WriteResult>>();
  std::future<WriteResult> committed = result->get_future();
  std::optional<WriteResult> refused =
      submit_async(std::move(operation), [result](WriteResult done) { result->set_value(std::move(done)); });
  if (refused) return *refused;
  return committed.get();
}

std::optional<WriteResult> Writer::submit_async(WriteOperation operation, WriteDone done) {
  auto pending = std::make_shared<Pending>();
  pending->operation = std::move(operation);
  pending->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failed_) return WriteResult{WriteStatus::kWriterFailed, failure_reason_};
    if (stopping_) return WriteResult{WriteStatus::kShuttingDown, "the service is shutting down"};
    if (queue_.size() >= queue_capacity_) return WriteResult{WriteStatus::kQueueFull, ""};
    queue_.push_back(pending);
  }
  wake_.notify_one();
  return std::nullopt;
}

void Writer::run() {
  for (;;) {
    Group group;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (failed_) {
      for (auto& pending : group) pending->done({WriteStatus::kWriterFailed, failure_reason()});
      continue;
    }
    commit_group(group);
  }
}

void Writer::rollback_if_open() {
  if (sqlite3_get_autocommit(connection_->handle()) == 0) {
    sqlite3_exec(connection_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

// Descriptors run short under a flood of connections, and come back as soon
// as it is shed: waits of 10 ms doubling to 500 ms, about 2.6 s in all.
constexpr int kDescriptorRetries = 10;
constexpr auto kFirstDescriptorWait = std::chrono::milliseconds(10);
constexpr auto kLongestDescriptorWait = std::chrono::milliseconds(500);

void Writer::commit_group(Group& group) {
  auto wait = kFirstDescriptorWait;
  for (int attempt = 0;; ++attempt) {
    try {
      commit_once(group);
      break;
    } catch (const SqliteError& error) {
      rollback_if_open();
      if (!out_of_descriptors(error) || attempt + 1 >= kDescriptorRetries) {
        fail_group(group, error);
        return;
      }
      if (attempt == 0) {
        log::warning("write retried: no file descriptor left to open a database file",
                     {{"operations", std::to_string(group.size())}, {"error", error.what()}});
      }
      std::this_thread::sleep_for(wait);
      wait = std::min<std::chrono::milliseconds>(wait * 2, kLongestDescriptorWait);
    }
  }
  for (auto& pending : group) pending->done(pending->result);
}

// One attempt at the group as one transaction; throws SqliteError when the
// whole group must be rolled back.
void Writer::commit_once(Group& group) {
  connection_->exec("BEGIN IMMEDIATE");
  for (auto& pending : group) {
    connection_->exec("SAVEPOINT operation");
    try {
      pending->operation(*store_);
      connection_->exec("RELEASE operation");
      pending->result = {WriteStatus::kOk, ""};
    } catch (const SqliteError& error) {
      if (failure_scope(error_kind(error)) != FailureScope::kOperation) throw;  // whole group
      connection_->exec("ROLLBACK TO operation");
      connection_->exec("RELEASE operation");
      pending->result = {WriteStatus::kError, error.what()};
    } catch (const std::exception& error) {
      // A bug in an operation must not take the writer thread down.
      connection_->exec("ROLLBACK TO operation");
      connection_->exec("RELEASE operation");
      pending->result = {WriteStatus::kError, error.what()};
    }
  }
  const auto commit_start = std::chrono::steady_clock::now();
  connection_->exec("COMMIT");
  const std::chrono::duration<double> commit_time = std::chrono::steady_clock::now() - commit_start;
  counters_.commit_seconds.observe(commit_time.count());
  counters_.operations_per_commit.observe(static_cast<double>(group.size()));
  counters_.commits.fetch_add(1);
}

void Writer::fail_group(Group& group, const SqliteError& error) {
  WriteResult result{WriteStatus::kError, error.what()};
  if (out_of_descriptors(error)) {
    log::warning("write rolled back: still no file descriptor to open a database file; later writes are tried again",
                 {{"operations", std::to_string(group.size())}, {"error", error.what()}});
    counters_.busy_errors.fetch_add(1);
    result = {WriteStatus::kBusy, std::string("out of file descriptors (") + error.what() + ")"};
    for (auto& pending : group) pending->done(result);
    return;
  }
  switch (failure_scope(error_kind(error))) {
    case FailureScope::kBusy:
      log::warning("write rolled back: the database stayed locked past the busy timeout",
                   {{"operations", std::to_string(group.size())}, {"error", error.what()}});
      counters_.busy_errors.fetch_add(1);
      result.status = WriteStatus::kBusy;
      break;
    case FailureScope::kFull:
      log::warning("write rolled back: disk or database full; later writes are tried again",
                   {{"operations", std::to_string(group.size())}, {"error", error.what()}});
      counters_.full_errors.fetch_add(1);
      result.status = WriteStatus::kFull;
      break;
    case FailureScope::kStorage: {
      log::error("writer failed: no writes are accepted until the service is restarted",
                 {{"operations", std::to_string(group.size())}, {"error", error.what()}});
      counters_.io_errors.fetch_add(1);
      result.status = WriteStatus::kWriterFailed;
      std::lock_guard<std::mutex> lock(mutex_);
      failure_reason_ = error.what();
      failed_ = true;
      break;
    }
    case FailureScope::kOperation:
      break;
  }
  for (auto& pending : group) pending->done(result);
}

}  // namespace telemetry::db
