// Start-up prefetch for `bpfd remote`: the read-only requests a tool made of a target (stats,
// listings, reads of small kernel files that neither block nor change anything), kept in the
// host's store per tool and target, so that the tool's next run sends them all in one round
// trip (call.h's CallBatch) and its identical requests are answered from those
// replies. A profile only says what to ask: every answer still comes from the target, fresh.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

// True for SYS_BPF of BPF_MAP_CREATE, BPF_PROG_LOAD or BPF_BTF_LOAD, by the line's head
// alone: an object creation.
bool CreationCommand(std::string_view line);
// A CreationCommand that parses as SYS_BPF. A profile holds one only when it named none of
// the session's objects, so that the next run can make it ahead (its fd closed if the tool
// does not ask) and get the same result.
bool CreationLine(std::string_view line);

// True for a line a profile may hold: a CreationLine; SYS_UNAME; FILE_STAT, FILE_STATFS,
// FILE_ACCESS, FILE_LIST and FILE_LIST_TREE of an absolute path outside /proc/<pid>; FILE_READ and
// FILE_READ_CACHED of kernel description files (tracefs events' id and format, the available
// events and functions, kallsyms, BTF, config, CPU lists, /proc/sys, PMU types).
bool Prefetchable(std::string_view line);

// The line as a profile keeps it: FILE_READ_CACHED without the digests the host held then
// (the next run names the ones it holds); other lines as they are.
std::string ProfileLine(std::string_view line);

// DIR/profiles/<sha256 of key>: one run's prefetchable lines, in the order first asked.
class StartupProfile {
 public:
  static constexpr size_t kMaxLines = 64;
  static constexpr size_t kMaxBytes = 12288;  // under ProtocolClient::kMaxAskedBytes, expanded
  // dir "" (no store) disables: Load finds nothing, Save keeps nothing.
  StartupProfile(const std::string& dir, std::string_view key);
  // The lines kept (each Prefetchable), or none when there is no valid profile.
  std::vector<std::string> Load() const;
  // Keeps `lines` (ProfileLine'd; those past kMaxLines or kMaxBytes are left out). 0 or -errno.
  int Save(const std::vector<std::string>& lines) const;

 private:
  std::string dir_, path_;
};

}  // namespace bpfd
