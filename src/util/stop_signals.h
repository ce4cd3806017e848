#pragma once
// SIGINT/SIGTERM for the offline commands (backup, restore, prune): the first
// signal only records itself; long loops poll received_stop_signal() between
// steps and leave cleanly (temporary files deleted, open transaction rolled
// back) by throwing stopped_by(), which the command's edge turns into exit
// code 130 or 143 (docs/reference/configuration.md §7.1).
#include <string>

#include "util/error.h"

namespace telemetry {

void install_stop_signal_handlers();
// 0 while no signal arrived, else SIGINT or SIGTERM (the latest one).
int received_stop_signal();
// The error of a command stopped by `signal_number`: kInterrupted for SIGINT,
// kTerminated for SIGTERM.
Error stopped_by(int signal_number, const std::string& message = "interrupted");

}  // namespace telemetry
