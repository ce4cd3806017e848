#pragma once
// SIGINT/SIGTERM for the offline commands (backup, restore, prune): the first
// signal only records itself; long loops poll stop_exit_code() between steps
// and leave cleanly (temporary files deleted, open transaction rolled back),
// then exit 130 or 143 (docs/reference/configuration.md §7.1).
namespace telemetry {

void install_stop_signal_handlers();
// 0 while no signal arrived; 130 after SIGINT, 143 after SIGTERM.
int stop_exit_code();

}  // namespace telemetry
