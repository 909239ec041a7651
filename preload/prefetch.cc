#include "preload/prefetch.h"

#include <fcntl.h>

#include <atomic>

#include <cstdlib>
#include <map>
#include <set>

#include "core/base/clock.h"
#include "core/base/file_io.h"
#include "core/client/startup_profile.h"
#include "preload/file_fetch.h"
#include "preload/real.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

struct Prefetch {
  std::string key;                                // "" : no target identity, none
  std::map<std::string, Result<CallReply>> kept;  // line -> its reply
  std::map<std::string, Result<CallReply>> made;  // creations: line -> its reply (an object)
  int64_t when_ms = 0;                            // when the replies came
  std::vector<std::string> loaded;                // the profile as this run found it
  std::vector<std::string> asked;                 // prefetchable lines, first-asked order
  std::set<std::string> asked_set;
};

Prefetch& Get() {
  static auto* p = new Prefetch();
  return *p;
}

// The key, from the environment the tool started with (read at load: it is scrubbed once the
// session starts) and its command line; through the real open, since /proc paths may be the
// target's for the tool.
__attribute__((constructor)) void InitKey() {
  const char* uname = getenv("BPFD_REMOTE_UNAME");
  if (!getenv("BPFD_REMOTE_FDS") || !uname || !*uname) return;
  int fd = Real().open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::string cmdline;
  int r = ReadFd(fd, &cmdline, 8192);
  Real().close(fd);
  if (r < 0 || cmdline.empty()) return;
  Get().key = cmdline + '\n' + uname;
}

StartupProfile Profile() { return StartupProfile(HostStore().dir(), Get().key); }

// Drops the creations' replies, closing the target's fd of each the tool did not take.
void DropMade() {
  for (auto& [line, reply] : Get().made)
    if (reply.ok() && reply->ret >= 0) State::Get().Post("SYS_CLOSE " + std::to_string(reply->ret));
  Get().made.clear();
}

}  // namespace

std::vector<std::string> PrefetchLines() {
  if (Get().key.empty() || !HostStore().enabled()) return {};
  std::vector<std::string> lines = Get().loaded = Profile().Load();
  for (std::string& line : lines)
    if (std::string path; line.starts_with("FILE_READ_CACHED ") &&
                          Untoken(std::string_view(line).substr(sizeof "FILE_READ_CACHED"), &path))
      line = CachedReadLine(path);
  return lines;
}

void KeepPrefetched(const std::vector<std::string>& lines, std::vector<Result<CallReply>> replies) {
  Prefetch& p = Get();
  for (size_t i = 0; i < lines.size() && i < replies.size(); ++i)
    (CreationCommand(lines[i]) ? p.made : p.kept).insert_or_assign(lines[i], std::move(replies[i]));
  p.when_ms = NowMs();
}

std::optional<Result<CallReply>> TakePrefetched(std::string_view line, bool creation) {
  Prefetch& p = Get();
  if (p.kept.empty() && p.made.empty()) return std::nullopt;
  if (NowMs() - p.when_ms > kPrefetchMs) {
    p.kept.clear();
    DropMade();
    return std::nullopt;
  }
  auto& from = creation ? p.made : p.kept;
  auto it = from.find(std::string(line));
  if (it == from.end()) return std::nullopt;
  if (!creation) return it->second;
  Result<CallReply> reply = std::move(it->second);  // an object: the tool's, once
  from.erase(it);
  return reply;
}

void RecordAsked(std::string_view line, bool creation) {
  Prefetch& p = Get();
  if (p.key.empty() || p.asked.size() >= StartupProfile::kMaxLines ||
      creation != CreationCommand(line) || !Prefetchable(line))
    return;
  std::string l = ProfileLine(line);
  if (p.asked_set.insert(l).second) p.asked.push_back(std::move(l));
}

void ForgetPrefetched() { Get().kept.clear(); }

void SaveProfile() {
  Prefetch& p = Get();
  // Unchanged (the usual cached run, or nothing new since start-up ended): nothing to write.
  if (p.key.empty() || !HostStore().enabled() || p.asked == p.loaded) return;
  Profile().Save(p.asked);
  p.loaded = p.asked;
}

void StartupEnded() {
  static std::atomic<bool> ended{false};
  if (ended.load(std::memory_order_relaxed)) return;  // every later wait: no lock
  auto lock = State::Get().Lock();
  if (ended.exchange(true) || State::Get().forked()) return;
  SaveProfile();
}

}  // namespace bpfd::preload
