#pragma once
// A file replaced all at once: written under "<path>.tmp", then fsynced,
// renamed over <path> and its directory fsynced, so that after a crash the
// path holds either the old content or the complete new one, never a part.
#include <string>
#include <string_view>

namespace telemetry {

class AtomicFile {
 public:
  // Creates "<path>.tmp" afresh with mode 0600 (the files hold run data). A
  // leftover temporary file, or a symlink planted in its place, is removed,
  // never written through. Throws Error kCannotCreate naming the temporary path.
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // deletes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Throws Error kIo naming the temporary path.
  void write(std::string_view bytes);
  // fsync, rename over the path, fsync of the directory; throws Error kIo.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_; }

 private:
  std::string path_;
  std::string temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

// The whole content of `path`, replaced atomically as above.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace telemetry
