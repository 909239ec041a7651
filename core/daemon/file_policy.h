// The daemon's policy for the forwarding FILE_* commands (docs/protocol.md "Forwarding"): unless
// the session is unrestricted (bpfd daemon --unrestricted), a path must be absolute, is
// normalised lexically, must match a tracing rule (file_policy.cc: kRules and the /proc/PID
// rules) that allows the operation, and is opened beneath the rule's anchor (safe_path.h), so
// the handler works on what was checked. Refusals are -EACCES plus one stderr line.
#pragma once
#include <fcntl.h>
#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/base/safe_path.h"
#include "core/base/unique_fd.h"
#include "core/daemon/session.h"

namespace bpfd {

enum class FileOp {
  kStat,      // FILE_STAT follow=1          -> fd (O_PATH)
  kLstat,     // FILE_STAT follow=0          -> dir + name
  kAccess,    // FILE_ACCESS                 -> fd (O_PATH)
  kReadlink,  // FILE_READLINK               -> dir + name
  kStatfs,    // FILE_STATFS                 -> fd (O_PATH)
  kList,      // FILE_LIST                   -> fd (O_RDONLY | O_DIRECTORY)
  kListTree,  // FILE_LIST_TREE: as kList, under the policy only below tracefs
  kRead,      // FILE_READ                   -> fd (O_RDONLY | O_NONBLOCK)
  kOpen,      // FILE_OPEN with its flags    -> fd (read-only: O_NONBLOCK added)
};

// What a FILE_* handler works on. Unrestricted, nothing is resolved ahead: fd is opened only
// for kList/kRead/kOpen (plain open(2), as before the policy), and dir/name are AT_FDCWD and
// the path, so stat(2), access(2) and statfs(2) take the path (fd not valid).
struct FileTarget {
  UniqueFd fd;
  int dir = AT_FDCWD;           // kLstat/kReadlink: the directory holding the last component...
  std::string name;             // ... and its name
  std::string path;             // the path as checked (normalised under the policy)
  UniqueFd dir_owner;           // owns dir when it is not AT_FDCWD
  bool anon_link_only = false;  // kReadlink: answer only "anon_inode:..." (BPF, perf objects)
};

// Resolves `path` for `op` (kOpen: open(2) `flags` and `mode`; under the policy, O_CREAT,
// O_EXCL and O_TRUNC are dropped for the writable tracefs files) as `s` allows. `cmd` names the
// command in the refusal line. 0, -EACCES (refused, one line on stderr) or the -errno of
// resolving or opening it.
int ResolveFileTarget(const Session& s, std::string_view cmd, const std::string& path, FileOp op,
                      int flags, mode_t mode, FileTarget* t, Resolver resolver = Resolver::kAuto);

// "/a//b/./c/../d" -> "/a/b/d" ("/.." is "/"); "" for a relative path.
std::string NormalisePath(std::string_view path);

// In a session whose probe_api is kTracefs the kprobe/uprobe PMUs' sysfs directories do not
// exist for FILE_* (BCC and libbpf then take kprobe_events/uprobe_events): true for them.
bool HiddenPmu(const Session& s, std::string_view path);

}  // namespace bpfd
