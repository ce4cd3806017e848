#include "fault_env.h"

#include <atomic>

namespace telemetry::test {
namespace {

sqlite3_vfs* real_vfs() {
  static sqlite3_vfs* const vfs = sqlite3_vfs_find(nullptr);
  return vfs;
}

FaultInjectingEnv& env_of(sqlite3_vfs* vfs) { return *static_cast<FaultInjectingEnv*>(vfs->pAppData); }

// What SQLite allocates for a file of our VFS (vfs.szOsFile bytes): our header,
// then the default VFS's own file object.
struct FaultFile {
  sqlite3_file base;
  FaultInjectingEnv* env;
  sqlite3_file* real;
};

FaultFile& fault_file(sqlite3_file* file) { return *reinterpret_cast<FaultFile*>(file); }
sqlite3_file* real_file(sqlite3_file* file) { return fault_file(file).real; }
const sqlite3_io_methods& real_methods(sqlite3_file* file) { return *real_file(file)->pMethods; }

int file_close(sqlite3_file* file) { return real_methods(file).xClose(real_file(file)); }
int file_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  return real_methods(file).xRead(real_file(file), buffer, amount, offset);
}
int file_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  const int fault = fault_file(file).env->on_call(FaultInjectingEnv::kWrite);
  if (fault != SQLITE_OK) return fault;
  return real_methods(file).xWrite(real_file(file), buffer, amount, offset);
}
int file_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return real_methods(file).xTruncate(real_file(file), size);
}
int file_sync(sqlite3_file* file, int flags) {
  const int fault = fault_file(file).env->on_call(FaultInjectingEnv::kSync);
  if (fault != SQLITE_OK) return fault;
  return real_methods(file).xSync(real_file(file), flags);
}
int file_size(sqlite3_file* file, sqlite3_int64* size) { return real_methods(file).xFileSize(real_file(file), size); }
int file_lock(sqlite3_file* file, int level) { return real_methods(file).xLock(real_file(file), level); }
int file_unlock(sqlite3_file* file, int level) { return real_methods(file).xUnlock(real_file(file), level); }
int file_check_reserved_lock(sqlite3_file* file, int* reserved) {
  return real_methods(file).xCheckReservedLock(real_file(file), reserved);
}
int file_control(sqlite3_file* file, int operation, void* argument) {
  return real_methods(file).xFileControl(real_file(file), operation, argument);
}
int file_sector_size(sqlite3_file* file) { return real_methods(file).xSectorSize(real_file(file)); }
int file_device_characteristics(sqlite3_file* file) {
  return real_methods(file).xDeviceCharacteristics(real_file(file));
}
int file_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** mapped) {
  return real_methods(file).xShmMap(real_file(file), page, page_size, extend, mapped);
}
int file_shm_lock(sqlite3_file* file, int offset, int count, int flags) {
  return real_methods(file).xShmLock(real_file(file), offset, count, flags);
}
void file_shm_barrier(sqlite3_file* file) { real_methods(file).xShmBarrier(real_file(file)); }
int file_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real_methods(file).xShmUnmap(real_file(file), delete_flag);
}
int file_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** page) {
  return real_methods(file).xFetch(real_file(file), offset, amount, page);
}
int file_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return real_methods(file).xUnfetch(real_file(file), offset, page);
}

// Version 3, as the default (unix) VFS's own files: WAL and memory-mapped I/O keep working.
const sqlite3_io_methods kFileMethods = {
    3,          file_close,       file_read,        file_write,     file_truncate,
    file_sync,  file_size,        file_lock,        file_unlock,    file_check_reserved_lock,
    file_control, file_sector_size, file_device_characteristics, file_shm_map, file_shm_lock,
    file_shm_barrier, file_shm_unmap, file_fetch, file_unfetch,
};

int vfs_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  FaultFile& wrapper = fault_file(file);
  wrapper.env = &env_of(vfs);
  wrapper.real = reinterpret_cast<sqlite3_file*>(&wrapper + 1);
  wrapper.real->pMethods = nullptr;
  const int rc = real_vfs()->xOpen(real_vfs(), name, wrapper.real, flags, out_flags);
  // SQLite closes a file whose methods are set, even after a failed open.
  file->pMethods = wrapper.real->pMethods ? &kFileMethods : nullptr;
  return rc;
}
int vfs_delete(sqlite3_vfs* vfs, const char* name, int sync_directory) {
  const int fault = env_of(vfs).on_call(FaultInjectingEnv::kDelete);
  if (fault != SQLITE_OK) return fault;
  return real_vfs()->xDelete(real_vfs(), name, sync_directory);
}
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* result) {
  return real_vfs()->xAccess(real_vfs(), name, flags, result);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs()->xFullPathname(real_vfs(), name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) { return real_vfs()->xDlOpen(real_vfs(), name); }
void vfs_dl_error(sqlite3_vfs*, int size, char* message) { real_vfs()->xDlError(real_vfs(), size, message); }
void (*vfs_dl_sym(sqlite3_vfs*, void* library, const char* symbol))(void) {
  return real_vfs()->xDlSym(real_vfs(), library, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* library) { real_vfs()->xDlClose(real_vfs(), library); }
int vfs_randomness(sqlite3_vfs*, int size, char* out) { return real_vfs()->xRandomness(real_vfs(), size, out); }
int vfs_sleep(sqlite3_vfs*, int microseconds) { return real_vfs()->xSleep(real_vfs(), microseconds); }
int vfs_current_time(sqlite3_vfs*, double* now) { return real_vfs()->xCurrentTime(real_vfs(), now); }
int vfs_get_last_error(sqlite3_vfs*, int size, char* out) {
  return real_vfs()->xGetLastError(real_vfs(), size, out);
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  return real_vfs()->xCurrentTimeInt64(real_vfs(), now);
}

std::atomic<int> registered{0};

}  // namespace

FaultInjectingEnv::FaultInjectingEnv() : name_("telemetry-fault-" + std::to_string(++registered)) {
  vfs_.iVersion = 2;  // no xSetSystemCall: nothing here replaces system calls
  vfs_.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs()->szOsFile;
  vfs_.mxPathname = real_vfs()->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = vfs_open;
  vfs_.xDelete = vfs_delete;
  vfs_.xAccess = vfs_access;
  vfs_.xFullPathname = vfs_full_pathname;
  vfs_.xDlOpen = vfs_dl_open;
  vfs_.xDlError = vfs_dl_error;
  vfs_.xDlSym = vfs_dl_sym;
  vfs_.xDlClose = vfs_dl_close;
  vfs_.xRandomness = vfs_randomness;
  vfs_.xSleep = vfs_sleep;
  vfs_.xCurrentTime = vfs_current_time;
  vfs_.xGetLastError = vfs_get_last_error;
  vfs_.xCurrentTimeInt64 = vfs_current_time_int64;
  sqlite3_vfs_register(&vfs_, /*makeDflt=*/0);
}

FaultInjectingEnv::~FaultInjectingEnv() { sqlite3_vfs_unregister(&vfs_); }

void FaultInjectingEnv::fail(Call call, int nth, int code, bool until_healed) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_[call] = Fault{nth, code, until_healed, false};
}

void FaultInjectingEnv::heal() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_ = {};
}

int FaultInjectingEnv::calls(Call call) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_[call];
}

int FaultInjectingEnv::on_call(Call call) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++calls_[call];
  Fault& fault = faults_[call];
  if (fault.failing) return fault.code;
  if (fault.countdown == 0 || --fault.countdown > 0) return SQLITE_OK;
  fault.failing = fault.until_healed;
  return fault.code;
}

}  // namespace telemetry::test
