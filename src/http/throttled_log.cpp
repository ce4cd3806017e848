#include "http/throttled_log.h"

namespace telemetry::http {

void ThrottledLog::warning(const std::string& message, log::Fields fields) {
  Kind& kind = kinds_[message];
  ++kind.occurrences;
  const auto now = std::chrono::steady_clock::now();
  if (kind.logged && now - kind.last < interval_) return;
  fields.emplace_back("occurrences", std::to_string(kind.occurrences));
  log::warning(message, fields);
  kind.last = now;
  kind.logged = true;
  kind.occurrences = 0;
}

}  // namespace telemetry::http
