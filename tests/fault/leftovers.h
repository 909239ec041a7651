// What a session can leave in the kernel: BPF programs, maps and links (by id), the tracefs
// dynamic event files' lines and the entries below /sys/fs/bpf. A snapshot before a fault and
// a comparison after it say what the fault left behind.
#pragma once
#include <cstdint>
#include <set>
#include <string>

namespace bpfd::fault {

struct KernelState {
  std::set<uint32_t> progs, maps, links;
  std::set<std::string> events;  // "<file>: <line>" of kprobe_events, uprobe_events, dynamic_events
  std::set<std::string> pins;    // paths below /sys/fs/bpf
};

// The tracefs mount point (mounted at /sys/kernel/tracing if nothing is): "" if none.
std::string TracefsDir();

KernelState Snapshot();

// What the system has now that `before` lacked, one item per line ("" when nothing). Waits up
// to settle_ms for the kernel to free objects whose last fd closed (it does so asynchronously).
std::string LeftSince(const KernelState& before, int settle_ms = 3000);

// The kprobe_events/uprobe_events lines now containing `needle` (for preconditions).
int CountEvents(const std::string& needle);

// Removes the kprobe_events/uprobe_events events whose definition contains `needle` (a case's
// tag: the suite never leaves its own events behind, even when a case fails). Returns how many.
int RemoveEvents(const std::string& needle);

// Empties trace_pipe (so a read of it blocks until something is traced).
void DrainTracePipe();

}  // namespace bpfd::fault
