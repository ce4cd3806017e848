#pragma once
// The exception of the command line: a message for the user and the exit code
// it maps to, for cli/'s own verdicts (usage errors, a check that fails). The
// layers below throw util/error.h's Error, whose kind cli/exit_status.h maps
// (docs/architecture.md, "Errors"); living in cli/, this header and
// cli/exit_codes.h cannot be included below it. main() catches both at the
// command's edge and prints "telemetry: <message>".
#include <stdexcept>
#include <string>

namespace telemetry::cli {

class CommandError : public std::runtime_error {
 public:
  CommandError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace telemetry::cli
