#include "buffer/quarantine.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "util/error.h"
#include "util/file_sync.h"

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
    : path_(std::move(path)), source_(std::move(source)), rejected_at_(std::move(rejected_at)) {}

QuarantineWriter::~QuarantineWriter() = default;

void QuarantineWriter::add(const RejectedLine& rejected) {
  ++count_;
  if (error_) return;
  pending_ += quarantine_record(rejected, source_, rejected_at_);
  pending_ += '\n';
  if (pending_.size() >= kFlushBytes) write_pending();
}

void QuarantineWriter::write_pending() {
  try {
    if (!file_) file_ = std::make_unique<AtomicFile>(path_);
    file_->write(pending_);
  } catch (const Error& failure) {
    error_ = failure.what();
    file_.reset();
  }
  pending_.clear();
}

std::optional<std::string> QuarantineWriter::commit() {
  if (!error_) write_pending();  // an empty file is still a valid result
  if (!error_) {
    try {
      file_->commit();
    } catch (const Error& failure) {
      error_ = failure.what();
    }
  }
  file_.reset();
  return error_;
}

void QuarantineWriter::discard() {
  file_.reset();
  pending_.clear();
}

std::optional<std::string> remove_stale_quarantine(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return sync_directory_of(path);
  if (errno == ENOENT) return std::nullopt;
  return system_error("cannot remove", path);
}

std::optional<std::string> sync_directory_of(const std::string& path) {
  try {
    fsync_directory(std::filesystem::path(path).parent_path().string());
  } catch (const Error& failure) {
    return failure.what();
  }
  return std::nullopt;
}

}  // namespace telemetry::buffer
