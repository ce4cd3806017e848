#pragma once
// Structured logging to standard error (docs/reference/configuration.md §4.4): logfmt by default,
// JSON lines on request. Thread-safe; one line per call.
#include <string>
#include <utility>
#include <vector>

namespace telemetry::log {

enum class Level { kDebug, kInfo, kWarning, kError, kCritical };
enum class Format { kLogfmt, kJson };

using Fields = std::vector<std::pair<std::string, std::string>>;

void configure(Level level, Format format);
// Parses config values ("info", "warn", ...; "logfmt"/"text", "json").
Level parse_level(const std::string& text);
Format parse_format(const std::string& text);

bool enabled(Level level);
void write(Level level, const std::string& message, const Fields& fields = {});

inline void debug(const std::string& m, const Fields& f = {}) { write(Level::kDebug, m, f); }
inline void info(const std::string& m, const Fields& f = {}) { write(Level::kInfo, m, f); }
inline void warning(const std::string& m, const Fields& f = {}) { write(Level::kWarning, m, f); }
inline void error(const std::string& m, const Fields& f = {}) { write(Level::kError, m, f); }

}  // namespace telemetry::log
