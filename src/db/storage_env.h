#pragma once
// The storage environment: the one object through which db/ reaches the disk,
// the way LevelDB's Env and ninja's DiskInterface are. Every Connection is
// opened through one; production passes StorageEnv::real() (the default
// everywhere), which is SQLite's own VFS on plain files.
//
// Why it exists: faults that cannot be arranged from outside the process on
// demand (an fsync failing inside COMMIT, a full disk at the Nth write, the
// commit's journal delete failing) are injected here by unit tests, which
// then drive the real Writer and migration. Tests use
// tests/unit/db/fault_env.h, a subclass that registers a wrapping SQLite VFS.
// docs/architecture.md "Test seams" says what it can inject and how.
//
// A second storage engine (PostgreSQL, planned) is a second implementation
// at this same place: db/ asks the environment for its storage and never
// opens files itself.
namespace telemetry::db {

class StorageEnv {
 public:
  // SQLite's default VFS: the real disk.
  static const StorageEnv& real();

  virtual ~StorageEnv() = default;
  // The registered SQLite VFS that connections opened through this
  // environment use; nullptr for SQLite's default.
  virtual const char* sqlite_vfs() const { return nullptr; }
};

}  // namespace telemetry::db
