#include "preload/file_fetch.h"

#include <cerrno>
#include <string_view>
#include <vector>

#include "core/base/tracefs_names.h"
#include "core/wire/cached_read.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

bool Under(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

// Large, and the same from one run to the next unless the target rebooted or loaded a module.
bool Cacheable(std::string_view path) {
  if (Under(path, "/sys/kernel/btf") || path == "/proc/kallsyms" || path == "/proc/config.gz")
    return true;
  std::string_view rest = path.substr(TracefsNameOf(path).size());
  return rest.size() < path.size() &&
         (rest == "/available_filter_functions" || rest == "/available_events");
}

__attribute__((constructor)) void InitStore() { HostStore(); }

bool g_no_cached_read = false;  // the daemon predates FILE_READ_CACHED

// The reply's data line as content: FILE_READ's token, or "=<digest>" of a held content.
int64_t TakeContent(int64_t r, const std::vector<std::string>& rest, std::string* content) {
  if (r < 0) return r;
  if (rest.empty()) return -EIO;
  Sha256Digest d;
  if (ParseDigestMatch(rest[0], &d))
    return HostStore().Load(d, content) && content->size() == static_cast<uint64_t>(r) ? r
                                                                                       : -ESTALE;
  return Untoken(rest[0], content) ? r : -EIO;
}

}  // namespace

// From the environment the tool started with (read at load: it is scrubbed once the session
// starts).
FileCache& HostStore() {
  static FileCache* store = new FileCache(FileCache::DefaultDir());
  return *store;
}

std::string CachedReadLine(const std::string& path) {
  return "FILE_READ_CACHED " + Token(path) + " " + FormatDigestList(HostStore().Held(path));
}

int64_t FetchWhole(const std::string& path, std::string* content) {
  State& st = State::Get();
  std::vector<std::string> rest;
  if (g_no_cached_read || !HostStore().enabled() || !Cacheable(path))
    return TakeContent(st.Call("FILE_READ " + Token(path), &rest), rest, content);
  int64_t r = st.CallIfKnown(CachedReadLine(path), &rest);
  if (r == -EBADMSG) {
    g_no_cached_read = true;
    return FetchWhole(path, content);
  }
  r = TakeContent(r, rest, content);
  if (r == -ESTALE) {  // the held copy vanished or was damaged since we named it: all of it
    r = st.Call("FILE_READ_CACHED " + Token(path) + " -", &rest);
    r = TakeContent(r, rest, content);
  }
  if (r >= 0 && !rest.empty() && !rest[0].starts_with("=")) HostStore().Store(path, *content);
  return r;
}

}  // namespace bpfd::preload
