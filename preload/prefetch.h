// Start-up prefetch (core/client/startup_profile.h) for this tool against this target. The
// profile is keyed by the tool's command line and the target's uname (BPFD_REMOTE_UNAME, read
// at load). At the session's first call its lines go out in one round trip; a call whose line
// is one of them is answered from that reply within kPrefetchMs of it (as often as asked: a
// tool checks the same path twice) and until the tool writes to the target
// (ForgetPrefetched). Every prefetchable line the tool asks is recorded, and the profile
// rewritten at exit. Callers hold State's lock.
//
// Creations (startup_profile.h's CreationLine: libbpf's and BCC's feature probes, BTF loads)
// are made ahead the same way. Each reply is an object, so it answers the tool's identical
// creation once, within kPrefetchMs; the target's fd of one the tool did not ask for by then
// is closed.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/client/call.h"

namespace bpfd::preload {

inline constexpr int64_t kPrefetchMs = 5000;

// The lines to send at the session's start, FILE_READ_CACHED naming the contents the host's
// store holds now (as file_fetch.h will); none without a profile.
std::vector<std::string> PrefetchLines();
// Keeps the replies to PrefetchLines() for TakePrefetched.
void KeepPrefetched(const std::vector<std::string>& lines, std::vector<Result<CallReply>> replies);
// The kept reply to exactly `line`, if still fresh. `creation`: the tool's self-contained
// creation (State::CallCreation), the only kind of call a creation's reply answers.
std::optional<Result<CallReply>> TakePrefetched(std::string_view line, bool creation = false);
// Notes a line the tool asked, for the next run's profile (if it is Prefetchable; a
// CreationLine only when `creation`).
void RecordAsked(std::string_view line, bool creation = false);
// Drops every kept reply but the creations': the tool changed the target (a tracefs write, a
// new event), which a description read before may no longer match.
void ForgetPrefetched();
// Rewrites the profile with what this run asked (at exit, by the process that made calls).
void SaveProfile();
// The tool's start-up is over (its first wait for events): the profile is saved now, once, so
// that a tool ended by a signal no exit handler sees (timeout's SIGTERM, SIGKILL) leaves it.
// Takes State's lock itself, the first time only: later waits cost an atomic load.
void StartupEnded();

}  // namespace bpfd::preload
