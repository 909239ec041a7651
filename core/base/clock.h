// Monotonic milliseconds and deadlines for poll(): the one clock every wait uses.
#pragma once
#include <time.h>

#include <cstdint>
#include <limits>

namespace bpfd {

// CLOCK_MONOTONIC in milliseconds.
inline int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The deadline timeout_ms from now; -1 (none) for a negative timeout.
inline int64_t Deadline(int timeout_ms) { return timeout_ms < 0 ? -1 : NowMs() + timeout_ms; }

// Milliseconds left until the deadline for poll(): -1 for none, 0 when it has passed.
inline int PollTimeout(int64_t deadline_ms) {
  if (deadline_ms < 0) return -1;
  int64_t left = deadline_ms - NowMs();
  if (left <= 0) return 0;
  return left > std::numeric_limits<int>::max() ? std::numeric_limits<int>::max()
                                                : static_cast<int>(left);
}

// How long whoever ends a session (a client's Close, `bpfd remote`, the listener's stop) waits
// for the daemon to clean up before killing it. Removing a tracefs event waits for an RCU
// grace period: 200 uprobe events took 25 s on the x86_64 test VM; 120 s leaves a wide margin.
// A wait longer than kCleanupNoticeMs is said on stderr once.
inline constexpr int kSessionCleanupMs = 120000;
inline constexpr int kCleanupNoticeMs = 2000;

}  // namespace bpfd
