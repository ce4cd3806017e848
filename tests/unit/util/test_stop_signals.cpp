// util/stop_signals.h: a stop signal is recorded, not acted on, and read back as its exit code.
#include <signal.h>

#include <catch2/catch.hpp>

#include "util/stop_signals.h"

TEST_CASE("after SIGINT the process keeps running and stop_exit_code answers 130, after SIGTERM 143") {
  telemetry::install_stop_signal_handlers();
  CHECK(telemetry::stop_exit_code() == 0);
  REQUIRE(::raise(SIGINT) == 0);
  CHECK(telemetry::stop_exit_code() == 130);
  REQUIRE(::raise(SIGTERM) == 0);
  CHECK(telemetry::stop_exit_code() == 143);
}
