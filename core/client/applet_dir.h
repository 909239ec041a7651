// A private directory of host-side applets for a tool that `bpfd remote` runs: each name is a
// symlink to this binary (e.g. `ausyscall`, so BCC names the target's syscalls), and the
// directory goes first on the tool's PATH. Removed with everything in it when destroyed.
#pragma once
#include <string>
#include <vector>

namespace bpfd {

class AppletDir {
 public:
  AppletDir() = default;
  AppletDir(const AppletDir&) = delete;
  AppletDir& operator=(const AppletDir&) = delete;
  ~AppletDir();

  // Makes $TMPDIR (else /tmp)/bpfd-applets-XXXXXX holding <name> -> `target` for each name.
  // 0, or -errno with *error saying what failed.
  int Create(const std::string& target, const std::vector<std::string>& names, std::string* error);

  // The directory followed by `existing` (a PATH value; empty: only the directory).
  std::string PrependTo(const std::string& existing) const;

 private:
  std::string path_;
  std::vector<std::string> names_;
};

}  // namespace bpfd
