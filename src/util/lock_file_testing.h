#pragma once
// Test seam for WriterLock::acquire: the race docs/reference/configuration.md §5 guards against (the
// file at the path replaced between open and flock) cannot be timed from
// outside, so tests inject it here. Production code never sets the hook.
#include <functional>

namespace telemetry::lock_testing {

// Called by acquire right after it opens the lock file, before flock.
void set_after_open_hook(std::function<void()> hook);

}  // namespace telemetry::lock_testing
