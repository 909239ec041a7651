#include "core/client/applet_dir.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/self_exe.h"

namespace bpfd {

AppletDir::~AppletDir() {
  if (path_.empty()) return;
  for (const std::string& n : names_) unlink((path_ + "/" + n).c_str());
  rmdir(path_.c_str());
}

int AppletDir::Create(const std::string& target, const std::vector<std::string>& names,
                      std::string* error) {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/bpfd-applets-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    int e = errno;
    *error = "cannot make a directory like " + tmpl + ": " + std::strerror(e);
    return -e;
  }
  path_ = tmpl;
  names_ = names;
  return InstallSymlinks(path_, target, names, error);
}

std::string AppletDir::PrependTo(const std::string& existing) const {
  return existing.empty() ? path_ : path_ + ":" + existing;
}

}  // namespace bpfd
