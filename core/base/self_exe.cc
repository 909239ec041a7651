#include "core/base/self_exe.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bpfd {

std::string_view Basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string SelfExePath() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

int InstallSymlinks(const std::string& dir, const std::string& target,
                    const std::vector<std::string>& names, std::string* error) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    int err = errno ? errno : ENOTDIR;
    *error = dir + ": not a directory";
    return -err;
  }
  for (const std::string& name : names) {
    std::string link = dir + "/" + name;
    if (lstat(link.c_str(), &st) == 0) {
      if (!S_ISLNK(st.st_mode)) {
        *error = link + ": exists and is not a symlink; remove it first";
        return -EEXIST;
      }
      if (unlink(link.c_str()) != 0) {
        int err = errno;
        *error = link + ": " + strerror(err);
        return -err;
      }
    }
    if (symlink(target.c_str(), link.c_str()) != 0) {
      int err = errno;
      *error = link + ": " + strerror(err);
      return -err;
    }
  }
  return 0;
}

}  // namespace bpfd
