// Undoing what sessions made (journal.h): one entry at a session's clean end, or at daemon start
// everything dead sessions left behind.
#pragma once
#include <string>

#include "core/daemon/journal.h"

namespace bpfd {

// Undoes one entry: removes the event by name, unlinks the pin, detaches the program from the
// cgroup, or writes the knob's original content back. 0 when done or nothing is left to undo
// (the event, pin, program or cgroup is gone), else -errno.
int UndoJournalEntry(const JournalEntry& e);

// At daemon start (once, before the first session): for every journal in state_dir ("":
// none) whose process is dead, undoes its entries newest first and deletes it (a journal from
// an earlier boot is only deleted: nothing it names survived the reboot); then removes the
// events named "*_bpfd_<pid>" in kprobe_events, uprobe_events and dynamic_events whose pid is
// dead. Other events are never touched. Prints one stderr line when it removed or failed
// anything.
void SweepLeftovers(const std::string& state_dir);

}  // namespace bpfd
