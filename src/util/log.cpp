#include "util/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/ascii.h"
#include "util/error.h"
#include "util/log_format.h"

namespace telemetry::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<Format> g_format{Format::kLogfmt};
std::mutex g_write_mutex;  // keeps lines from different threads whole and ordered


std::string json_line(const std::string& time, Level level, const std::string& message,
                      const Fields& fields) {
  nlohmann::ordered_json line;
  line["timestamp"] = time;
  line["level"] = level_name(level);
  line["logger"] = "telemetry";
  line["message"] = message;
  for (const auto& [key, value] : fields) {
    // An event key must not overwrite the fixed ones.
    bool reserved = key == "timestamp" || key == "level" || key == "logger" || key == "message";
    line[reserved ? "_" + key : key] = value;
  }
  // Bytes that are not UTF-8 become U+FFFD rather than losing the line.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // JSON escapes C0 controls itself; DEL and C1 controls (only ever inside
  // strings here) are escaped too, so no terminal acts on them.
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const unsigned char next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0x7f) {
      out += "\\u007f";
    } else if (c == 0xC2 && next >= 0x80 && next < 0xA0) {
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void write_all(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone; there is nowhere left to report it
    done += static_cast<size_t>(n);
  }
}

void emit(Level level, const std::string& message, const Fields& fields) {
  std::string line = format_line(g_format.load(), std::chrono::system_clock::now(), level, message, fields);
  std::lock_guard<std::mutex> guard(g_write_mutex);
  write_all(line);
}

// Length of the well-formed UTF-8 sequence at `i` (2-4 bytes), or 0.
std::size_t utf8_sequence(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                       : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  const unsigned char second = byte(i + 1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) || (lead == 0xF0 && second < 0x90) ||
      (lead == 0xF4 && second > 0x8F))
    return 0;  // overlong, surrogate or beyond U+10FFFF
  return length;
}

// Bytes a terminal could act on: C0 controls, DEL, C1 controls (U+0080-U+009F,
// C2 80-C2 9F in UTF-8) and bytes that are not UTF-8 at all.
bool is_unsafe_at(const std::string& text, std::size_t i, std::size_t& length) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  length = 1;
  if (c < 0x20 || c == 0x7f) return true;
  if (c < 0x80) return false;
  length = utf8_sequence(text, i);
  if (length == 0) {
    length = 1;
    return true;
  }
  return c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
    case Level::kCritical: return "critical";
  }
  return "info";
}

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(when.time_since_epoch()).count();
  auto seconds = micros / 1000000;
  auto fraction = micros % 1000000;
  if (fraction < 0) { fraction += 1000000; --seconds; }  // before 1970
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(fraction));
  return buffer;
}

std::string logfmt_value(const std::string& value) {
  std::string out;
  bool quote = value.empty();
  for (std::size_t i = 0, length = 1; i < value.size(); i += length) {
    const char c = value[i];
    if (is_unsafe_at(value, i, length)) {
      quote = true;
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (length == 2) {  // a C1 control, by its code point
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(value[i + 1]));
          } else {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
          }
      }
    } else if (c == '"' || c == '\\') {
      quote = true;
      out += '\\';
      out += c;
    } else {
      quote |= c == ' ' || c == '=';
      out.append(value, i, length);
    }
  }
  return quote ? "\"" + out + "\"" : out;
}

std::string format_line(Format format, std::chrono::system_clock::time_point when, Level level,
                        const std::string& message, const Fields& fields) {
  std::string time = utc_timestamp(when);
  if (format == Format::kJson) return json_line(time, level, message, fields) + "\n";
  // msg is always quoted so that the line reads the same whatever the message.
  std::string msg = logfmt_value(message);
  if (msg.empty() || msg[0] != '"') msg = "\"" + msg + "\"";
  std::string line = "time=" + time + " level=" + level_name(level) + " msg=" + msg;
  for (const auto& [key, value] : fields) line += " " + key + "=" + logfmt_value(value);
  return line + "\n";
}

void configure(Level level, Format format) {
  g_level = level;
  g_format = format;
}

Level parse_level(const std::string& text) {
  std::string name = ascii::lower(text);
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warning" || name == "warn") return Level::kWarning;
  if (name == "error") return Level::kError;
  if (name == "critical") return Level::kCritical;
  throw Error(ErrorKind::kConfig, "unknown log level '" + text + "'");
}

Format parse_format(const std::string& text) {
  std::string name = ascii::lower(text);
  if (name == "logfmt" || name == "text") return Format::kLogfmt;
  if (name == "json") return Format::kJson;
  throw Error(ErrorKind::kConfig, "unknown log format '" + text + "'");
}

bool enabled(Level level) { return level >= g_level.load(); }

void announce(const std::string& message, const Fields& fields) { emit(Level::kInfo, message, fields); }

void write(Level level, const std::string& message, const Fields& fields) {
  if (enabled(level)) emit(level, message, fields);
}

}  // namespace telemetry::log
