#pragma once
// A warning that may fire thousands of times a second (a limit biting under
// a flood) logged at most once per interval per kind, with the count of the
// occurrences it stands for. Used from one thread (the I/O thread): no lock.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "util/log.h"

namespace telemetry::http {

class ThrottledLog {
 public:
  explicit ThrottledLog(std::chrono::steady_clock::duration interval = std::chrono::seconds(10))
      : interval_(interval) {}

  // Logs `message` with `fields` plus "occurrences" (how many times it
  // happened since the last line) unless a line of this kind was logged
  // less than the interval ago.
  void warning(const std::string& message, log::Fields fields = {});

 private:
  struct Kind {
    std::chrono::steady_clock::time_point last{};
    std::uint64_t occurrences = 0;
    bool logged = false;
  };
  std::chrono::steady_clock::duration interval_;
  std::map<std::string, Kind> kinds_;
};

}  // namespace telemetry::http
