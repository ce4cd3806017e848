#pragma once
// Quarantine files (docs/reference/buffer-files.md §12.1): one compact JSON object per
// rejected line, written under a temporary name and renamed into place only
// when complete, so a crash never leaves a half-written <input>.rejected.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "util/atomic_file.h"

namespace telemetry::buffer {

struct RejectedLine {
  std::int64_t line = 0;
  std::string reason;
  std::string raw;                      // exact bytes, without the '\n'
  std::optional<std::string> event_id;
};

// {"line":..,"reason":..,"raw":..[,"raw_base64":..],"source":..,"event_id":..,"rejected_at":..}
std::string quarantine_record(const RejectedLine& rejected, const std::string& source,
                              const std::string& rejected_at);

// RFC 4648 base64 with padding.
std::string base64_encode(std::string_view bytes);

// Streams records into an AtomicFile for <path> (util/atomic_file.h) as lines
// are rejected; commit() puts it in place. Errors are returned as text (the
// caller leaves the input unchanged and exits 73).
class QuarantineWriter {
 public:
  QuarantineWriter(std::string path, std::string source, std::string rejected_at);
  ~QuarantineWriter();  // discards an uncommitted temporary file
  QuarantineWriter(const QuarantineWriter&) = delete;
  QuarantineWriter& operator=(const QuarantineWriter&) = delete;

  void add(const RejectedLine& rejected);
  // Makes the file final; nullopt on success, else why it failed.
  std::optional<std::string> commit();
  void discard();
  std::int64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  void write_pending();  // creates the file on first use

  std::string path_;
  std::string source_;
  std::string rejected_at_;
  std::unique_ptr<AtomicFile> file_;
  std::int64_t count_ = 0;
  std::optional<std::string> error_;  // first failure; reported by commit()
  std::string pending_;               // buffered output, written in large blocks
};

// Removes a quarantine file left by an earlier pass; nullopt when done or absent.
std::optional<std::string> remove_stale_quarantine(const std::string& path);

// fsync of the directory holding `path`, so a rename in it survives a crash.
std::optional<std::string> sync_directory_of(const std::string& path);

}  // namespace telemetry::buffer
