#include "util/stop_signals.h"

#include <signal.h>

#include <atomic>

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

int received_stop_signal() { return received_signal.load(); }

Error stopped_by(int signal_number, const std::string& message) {
  return Error(signal_number == SIGTERM ? ErrorKind::kTerminated : ErrorKind::kInterrupted, message);
}

}  // namespace telemetry
