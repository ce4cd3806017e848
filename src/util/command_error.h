#pragma once
// The one exception type commands throw: a message for the user and the exit
// code it maps to. main() catches it at the command's edge and prints
// "telemetry: <message>".
#include <stdexcept>
#include <string>

namespace telemetry {

class CommandError : public std::runtime_error {
 public:
  CommandError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace telemetry
