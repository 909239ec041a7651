#include "preload/listings.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "core/base/clock.h"
#include "core/base/tracefs_names.h"
#include "core/wire/tokens.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

constexpr int64_t kListingMs = 2000;

struct Kept {
  std::map<std::string, DirEntries> dirs;  // tracefs directory -> its entries
  int64_t when_ms = 0;
  struct Access {
    int ret;
    int64_t when_ms;
  };
  std::map<std::pair<std::string, int>, Access> access;  // (tracefs path, mode) -> answer
};

Kept& Listings() {
  static auto* k = new Kept();
  return *k;
}

bool g_no_tree = false;  // the daemon predates FILE_LIST_TREE

// "<d_type> <name token>" lines into (directory -> entries), names split at their last '/'
// (a tree's are relative to `path`; its first level's directories were listed too, so an
// empty one is known to be empty).
int Parse(const std::string& path, const std::vector<std::string>& lines, bool tree,
          std::map<std::string, DirEntries>* dirs) {
  (*dirs)[path];  // an empty directory is still listed
  for (const std::string& line : lines) {
    auto t = SplitTokens(line);
    uint32_t type;
    std::string name;
    if (t.size() < 2 || !ParseUint32(t[0], &type) || !Untoken(t[1], &name) || name.empty())
      return -EIO;
    size_t slash = name.rfind('/');
    std::string dir = slash == std::string::npos ? path : path + "/" + name.substr(0, slash);
    if (name.size() - (slash + 1) >= sizeof(dirent::d_name)) continue;
    (*dirs)[dir].emplace_back(static_cast<unsigned char>(type), name.substr(slash + 1));
    if (tree && type == DT_DIR && slash == std::string::npos) (*dirs)[path + "/" + name];
  }
  return 0;
}

}  // namespace

int ListDirectory(const std::string& path, DirEntries* out) {
  Kept& k = Listings();
  const bool tracefs = !TracefsNameOf(path).empty();
  if (tracefs && NowMs() - k.when_ms <= kListingMs) {
    if (auto it = k.dirs.find(path); it != k.dirs.end()) {
      *out = it->second;
      return 0;
    }
  }
  State& st = State::Get();
  std::vector<std::string> rest;
  bool tree = tracefs && !g_no_tree && path.ends_with("/events");
  int64_t r = tree ? st.CallIfKnown("FILE_LIST_TREE " + Token(path) + " 2", &rest) : -EBADMSG;
  if (r == -EBADMSG) {
    g_no_tree = g_no_tree || tree;
    tree = false;
    r = st.Call("FILE_LIST " + Token(path), &rest);
  }
  if (r < 0) return static_cast<int>(r);
  std::map<std::string, DirEntries> dirs;
  if (int p = Parse(path, rest, tree, &dirs); p < 0) return p;
  *out = dirs[path];
  if (tracefs) {
    if (NowMs() - k.when_ms > kListingMs) k.dirs.clear();
    for (auto& [dir, entries] : dirs) k.dirs[dir] = std::move(entries);
    k.when_ms = NowMs();
  }
  return 0;
}

bool StatFromListing(const std::string& path, struct stat* out) {
  Kept& k = Listings();
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || NowMs() - k.when_ms > kListingMs) return false;
  auto dir = k.dirs.find(path.substr(0, slash));
  if (dir == k.dirs.end()) return false;
  const std::string name = path.substr(slash + 1);
  for (const auto& [type, entry] : dir->second) {
    if (entry != name) continue;
    if (type != DT_DIR && type != DT_REG) return false;
    std::memset(out, 0, sizeof *out);
    out->st_mode = type == DT_DIR ? (S_IFDIR | 0755) : (S_IFREG | 0644);
    out->st_nlink = type == DT_DIR ? 2 : 1;
    out->st_blksize = 4096;
    return true;
  }
  return false;
}

bool AccessFromKept(const std::string& path, int mode, int* ret) {
  auto& kept = Listings().access;
  auto it = kept.find({path, mode});
  if (it == kept.end() || NowMs() - it->second.when_ms > kListingMs) return false;
  *ret = it->second.ret;
  return true;
}

void KeepAccess(const std::string& path, int mode, int ret) {
  if (!TracefsNameOf(path).empty()) Listings().access[{path, mode}] = {ret, NowMs()};
}

void ForgetListings() {
  Listings().dirs.clear();
  Listings().access.clear();
}

}  // namespace bpfd::preload
