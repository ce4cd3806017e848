// util/stop_signals.h: a stop signal is recorded, not acted on, and becomes
// the error kind the command's edge maps to 130 or 143.
#include <signal.h>

#include <catch2/catch.hpp>

#include "util/stop_signals.h"

using telemetry::ErrorKind;

TEST_CASE("after SIGINT the process keeps running and the signal is recorded; SIGTERM replaces it") {
  telemetry::install_stop_signal_handlers();
  CHECK(telemetry::received_stop_signal() == 0);
  REQUIRE(::raise(SIGINT) == 0);
  CHECK(telemetry::received_stop_signal() == SIGINT);
  REQUIRE(::raise(SIGTERM) == 0);
  CHECK(telemetry::received_stop_signal() == SIGTERM);
}

TEST_CASE("a command stopped by SIGINT is interrupted, by SIGTERM terminated") {
  CHECK(telemetry::stopped_by(SIGINT).kind() == ErrorKind::kInterrupted);
  CHECK(telemetry::stopped_by(SIGTERM, "stopped").kind() == ErrorKind::kTerminated);
  CHECK(std::string(telemetry::stopped_by(SIGTERM, "stopped").what()) == "stopped");
}
