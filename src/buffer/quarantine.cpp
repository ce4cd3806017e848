#include "buffer/quarantine.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/utf8.h"

namespace telemetry::buffer {
namespace {

constexpr std::size_t kFlushBytes = 1 << 16;

std::string system_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string quarantine_record(const RejectedLine& rejected, const std::string& source,
                              const std::string& rejected_at) {
  nlohmann::ordered_json record = nlohmann::ordered_json::object();
  record["line"] = rejected.line;
  record["reason"] = rejected.reason;
  const bool valid = is_valid_utf8(rejected.raw);
  record["raw"] = valid ? rejected.raw : replace_invalid_utf8(rejected.raw);
  if (!valid) record["raw_base64"] = base64_encode(rejected.raw);
  record["source"] = source;
  record["event_id"] = rejected.event_id ? nlohmann::ordered_json(*rejected.event_id) : nlohmann::ordered_json();
  record["rejected_at"] = rejected_at;
  // Every string is valid UTF-8 here; `replace` only keeps dump() from throwing if not.
  return record.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

QuarantineWriter::QuarantineWriter(std::string path, std::string source, std::string rejected_at)
    : path_(std::move(path)), temporary_(path_ + ".tmp"), source_(std::move(source)),
      rejected_at_(std::move(rejected_at)) {}

QuarantineWriter::~QuarantineWriter() { discard(); }

bool QuarantineWriter::open_temporary() {
  // Rejected lines are run data: 0600 like the database. A leftover temporary
  // file (or a symlink planted in its place) is removed, never written through.
  if (::unlink(temporary_.c_str()) != 0 && errno != ENOENT) {
    error_ = system_error("cannot remove the stale", temporary_);
    return false;
  }
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error_ = system_error("cannot create", temporary_);
    return false;
  }
  return true;
}

bool QuarantineWriter::write_all(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t wrote = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) {
      error_ = system_error("cannot write", temporary_);
      return false;
    }
    done += static_cast<std::size_t>(wrote);
  }
  return true;
}

void QuarantineWriter::add(const RejectedLine& rejected) {
  ++count_;
  if (error_) return;
  if (fd_ < 0 && !open_temporary()) return;
  pending_ += quarantine_record(rejected, source_, rejected_at_);
  pending_ += '\n';
  if (pending_.size() >= kFlushBytes) {
    write_all(pending_);
    pending_.clear();
  }
}

std::optional<std::string> QuarantineWriter::commit() {
  if (!error_ && fd_ < 0) open_temporary();  // an empty file is still a valid result
  if (!error_ && !pending_.empty() && write_all(pending_)) pending_.clear();
  if (!error_ && ::fsync(fd_) != 0) error_ = system_error("cannot fsync", temporary_);
  if (!error_ && ::close(fd_) != 0) error_ = system_error("cannot close", temporary_);
  if (!error_) fd_ = -1;
  if (!error_ && std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    error_ = system_error("cannot rename " + temporary_ + " to", path_);
  }
  if (error_) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(temporary_.c_str());
    pending_.clear();
    return error_;
  }
  return sync_directory_of(path_);
}

void QuarantineWriter::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temporary_.c_str());
  }
  pending_.clear();
}

std::optional<std::string> remove_stale_quarantine(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return sync_directory_of(path);
  if (errno == ENOENT) return std::nullopt;
  return system_error("cannot remove", path);
}

std::optional<std::string> sync_directory_of(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  if (directory.empty()) directory = ".";
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return system_error("cannot open directory", directory);
  const bool synced = ::fsync(fd) == 0;
  const std::string error = synced ? "" : system_error("cannot fsync directory", directory);
  ::close(fd);
  if (!synced) return error;
  return std::nullopt;
}

}  // namespace telemetry::buffer
