// Directory listings of the target for opendir, and tracefs's kept for a moment: tools that
// walk events/ (tplist, funccount, trace, argdist) list every subsystem and stat each entry
// right after. events/ is fetched two levels deep in one round trip (FILE_LIST_TREE), and a
// stat of a listed tracefs entry is answered from its listing (tracefs's entries are plain
// directories and files with fixed modes), as are access checks of tracefs paths. Kept
// kListingMs; forgotten whenever the tool
// writes to a tracefs file (a new kprobe event adds a directory). Callers hold State's lock.
#pragma once
#include <sys/stat.h>

#include <string>
#include <utility>
#include <vector>

namespace bpfd::preload {

using DirEntries = std::vector<std::pair<unsigned char, std::string>>;  // d_type, name

// The entries of the target's directory `path`: 0, or -errno.
int ListDirectory(const std::string& path, DirEntries* out);
// A listed tracefs entry's stat (true), without a round trip.
bool StatFromListing(const std::string& path, struct stat* out);
// A tracefs path's FILE_ACCESS answer (0 or -errno), kept as long as listings: BCC checks
// tracefs before each attach. false when none is kept.
bool AccessFromKept(const std::string& path, int mode, int* ret);
void KeepAccess(const std::string& path, int mode, int ret);  // not tracefs: nothing
// Drops what is kept (the tool changed tracefs).
void ForgetListings();

}  // namespace bpfd::preload
