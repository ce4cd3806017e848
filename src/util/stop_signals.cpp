#include "util/stop_signals.h"

#include <signal.h>

#include <atomic>

#include "util/exit_codes.h"

namespace telemetry {
namespace {

std::atomic<int> received_signal{0};

void record_signal(int signal_number) { received_signal.store(signal_number); }

}  // namespace

void install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_exit_code() {
  switch (received_signal.load()) {
    case SIGINT: return exit_code::kInterrupted;
    case SIGTERM: return exit_code::kTerminated;
    default: return 0;
  }
}

}  // namespace telemetry
