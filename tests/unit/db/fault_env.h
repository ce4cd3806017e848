#pragma once
// A StorageEnv (src/db/storage_env.h) that makes chosen disk operations fail,
// for unit tests of what the writer and the migration do then. It registers a
// SQLite VFS that forwards every call to SQLite's default VFS, counting three
// kinds of call over every file opened through it (database, journal, WAL):
//   kWrite   xWrite   a full disk: SQLITE_FULL
//   kSync    xSync    a failing fsync: SQLITE_IOERR_FSYNC
//   kDelete  xDelete  the journal delete that ends a COMMIT in DELETE mode:
//                     SQLITE_IOERR_DELETE
// A failed call does nothing, as if the disk had refused it.
//
// Use: open the database through the env (open_servable(..., env),
// MigrateOptions::env), then fail(kSync, 1) just before the operation under
// test makes its first sync fail. Close every connection before the env.
#include <array>
#include <mutex>
#include <string>

#include <sqlite3.h>

#include "db/storage_env.h"

namespace telemetry::test {

class FaultInjectingEnv : public db::StorageEnv {
 public:
  enum Call { kWrite, kSync, kDelete, kCallKinds };

  FaultInjectingEnv();   // registers the VFS (not as the default)
  ~FaultInjectingEnv() override;
  FaultInjectingEnv(const FaultInjectingEnv&) = delete;
  FaultInjectingEnv& operator=(const FaultInjectingEnv&) = delete;

  const char* sqlite_vfs() const override { return name_.c_str(); }

  // The `nth` call of this kind from now on (1: the next one) fails with
  // `code` (SQLite's: the primary or an extended one); with `until_healed`
  // every later call of the kind fails too, until heal().
  void fail(Call call, int nth, int code, bool until_healed = false);
  void heal();  // no call fails any more
  // Calls of this kind so far, failed ones included.
  int calls(Call call) const;

  // The VFS's entry point: counts the call; SQLITE_OK to go ahead, else the code to return.
  int on_call(Call call);

 private:
  struct Fault {
    int countdown = 0;  // calls until the failing one; 0: none armed
    int code = SQLITE_OK;
    bool until_healed = false;
    bool failing = false;  // until_healed and reached
  };
  mutable std::mutex mutex_;
  std::array<int, kCallKinds> calls_{};
  std::array<Fault, kCallKinds> faults_{};
  std::string name_;
  sqlite3_vfs vfs_{};
};

}  // namespace telemetry::test
