#include "preload/state.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>

#include "core/base/clock.h"
#include "core/client/call.h"
#include "core/wire/base64.h"
#include "core/wire/tokens.h"
#include "preload/map_mirror.h"
#include "preload/prefetch.h"
#include "preload/real.h"
#include "preload/rings.h"
#include "preload/snapshot.h"

namespace bpfd::preload {

Obj::Obj() = default;
Obj::~Obj() = default;

thread_local int t_in_call = 0;
bool State::InCall() { return t_in_call > 0; }

void MarkForked() { State::Get().forked_ = true; }

namespace {

// The stderr the tool started with, kept at load (close-on-exec, above the usual fds): a tool
// may point fd 2 at /dev/null while it loads programs (bpftrace's StderrSilencer), which would
// swallow the one line that says why a call failed.
int g_stderr = 2;
__attribute__((constructor)) void KeepStderr() {
  if (!getenv("BPFD_REMOTE_FDS")) return;
  int fd = Real().fcntl(2, F_DUPFD_CLOEXEC, 900);
  if (fd >= 0) g_stderr = fd;
}

void Die(const char* what, int err) {
  char msg[256];
  int n = snprintf(msg, sizeof msg,
                   "bpfd-remote: %s (%s); the tool cannot go on without the target's kernel. "
                   "Check the daemon on the target and try again.\n",
                   what, strerror(err));
  if (n > 0) Real().write(g_stderr, msg, static_cast<size_t>(n));
  _exit(1);
}

// "3,4" → {3, 4}.
bool ParseFds(const char* s, int fds[2]) {
  std::string_view v(s);
  size_t comma = v.find(',');
  return comma != std::string_view::npos && ParseInt(v.substr(0, comma), &fds[0]) &&
         ParseInt(v.substr(comma + 1), &fds[1]) && fds[0] >= 0 && fds[1] >= 0;
}

// Removes our library from LD_PRELOAD and the handed-over fds from the environment, so the
// tool's children (shells, `timeout`, compilers) run locally and cannot share the stream.
void ScrubEnvironment() {
  unsetenv("BPFD_REMOTE_FDS");
  unsetenv("BPFD_REMOTE_INFLATE");
  unsetenv("BPFD_REMOTE_UNAME");
  const char* pre = getenv("LD_PRELOAD");
  if (!pre) return;
  std::string kept;
  std::string_view rest(pre);
  while (!rest.empty()) {
    size_t end = rest.find_first_of(": ");
    std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (item.empty() || item.find("libbpfd-remote") != std::string_view::npos) continue;
    if (!kept.empty()) kept += ':';
    kept.append(item);
  }
  if (kept.empty()) {
    unsetenv("LD_PRELOAD");
  } else {
    setenv("LD_PRELOAD", kept.c_str(), 1);
  }
}

}  // namespace

// No function-local static: libc++abi's guard itself calls syscall(gettid), which lands in
// our wrapper. Built by the library's constructor (or the first wrapper that runs earlier);
// never destroyed, since wrappers may run during exit.
namespace {
std::atomic<State*> g_state{nullptr};
}

State& State::Get() {
  State* s = g_state.load(std::memory_order_acquire);
  if (s) return *s;
  State* fresh = new State();
  if (g_state.compare_exchange_strong(s, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;  // another thread won
  return *s;
}

__attribute__((constructor)) static void InitState() { State::Get(); }

// BPFD_REMOTE_STATS=1: one line on stderr at exit with the session's traffic (read at load,
// since the environment is scrubbed once the session starts); none from a process that made
// no call (a wrapper on the way to the tool, e.g. a pyenv shim).
static int g_print_stats = 0;  // 0 none, 1 totals, 2 also the largest calls

__attribute__((constructor)) static void InitStats() {
  const char* v = getenv("BPFD_REMOTE_STATS");
  g_print_stats = !v || !*v || std::strcmp(v, "0") == 0 ? 0 : std::strcmp(v, "2") == 0 ? 2 : 1;
}

// What a call is counted under for BPFD_REMOTE_STATS=2: its command, and the path a FILE_*
// command names.
static std::string CallKey(std::string_view line) {
  size_t sp = line.find(' ');
  std::string key(line.substr(0, sp));
  std::string path;
  if (key.starts_with("FILE_") && sp != std::string_view::npos) {
    std::string_view tok = line.substr(sp + 1);
    if (Untoken(tok.substr(0, tok.find(' ')), &path) && path.starts_with("/")) key += " " + path;
  }
  return key;
}

// Before the tool goes: the replies to its posted closes are read (State::DrainPosted), and
// what it asked at start-up kept for its next run (prefetch.h).
__attribute__((destructor)) static void DrainPostedAtExit() {
  State* s = g_state.load(std::memory_order_acquire);
  if (s && s->active()) s->DrainPosted();
  if (s && s->active() && s->stats().calls > 0 && !s->forked()) SaveProfile();
}

__attribute__((destructor)) static void PrintStats() {
  State* s = g_state.load(std::memory_order_acquire);
  if (!g_print_stats || !s || !s->active() || s->stats().calls == 0) return;
  char msg[160];
  int n =
      snprintf(msg, sizeof msg, "bpfd-remote: %llu round trips, %llu bytes sent, %llu received\n",
               static_cast<unsigned long long>(s->stats().calls),
               static_cast<unsigned long long>(s->stats().sent),
               static_cast<unsigned long long>(s->stats().received));
  if (n > 0) Real().write(g_stderr, msg, static_cast<size_t>(n));
  if (g_print_stats < 2) return;
  std::vector<std::pair<std::string, State::Stats>> calls(s->stats_by_call().begin(),
                                                          s->stats_by_call().end());
  std::sort(calls.begin(), calls.end(),
            [](auto& a, auto& b) { return a.second.received > b.second.received; });
  for (size_t i = 0; i < calls.size() && i < 12; ++i) {
    n = snprintf(msg, sizeof msg, "bpfd-remote:   %10llu received, %4llu calls: %.100s\n",
                 static_cast<unsigned long long>(calls[i].second.received),
                 static_cast<unsigned long long>(calls[i].second.calls), calls[i].first.c_str());
    if (n > 0) Real().write(g_stderr, msg, static_cast<size_t>(std::min<int>(n, sizeof msg - 1)));
  }
}

State::State() : table_(new std::atomic<Obj*>[kMaxFds]) {
  for (int i = 0; i < kMaxFds; ++i) table_[i].store(nullptr, std::memory_order_relaxed);
  const char* fds = getenv("BPFD_REMOTE_FDS");
  active_ = fds && ParseFds(fds, fds_);
  const char* inflate = getenv("BPFD_REMOTE_INFLATE");
  client_.set_inflate(inflate && std::strcmp(inflate, "1") == 0);
  // The uname `bpfd remote` asked for (it needs the machine): no round trip for the tool's.
  const char* uname = getenv("BPFD_REMOTE_UNAME");
  if (auto u = std::make_unique<TargetUname>(); uname && ParseUnameLine(uname, u.get()) == 0)
    uname_ = std::move(u);
  pthread_atfork(nullptr, nullptr, MarkForked);
}

bool State::Connect() {
  if (connected_) return true;
  if (forked_) Die("a forked child cannot use its parent's remote session", EPERM);
  int wr = Real().fcntl(fds_[1], F_DUPFD_CLOEXEC, 3);
  int rd = Real().fcntl(fds_[0], F_DUPFD_CLOEXEC, 3);
  if (wr < 0 || rd < 0) Die("the connection from bpfd remote is not open", EBADF);
  Real().close(fds_[0]);
  if (fds_[1] != fds_[0]) Real().close(fds_[1]);
  int r = client_.AttachPair(UniqueFd(wr), UniqueFd(rd));
  if (r < 0) Die("cannot use the connection from bpfd remote", -r);
  ScrubEnvironment();
  connected_ = true;
  return true;
}

int64_t State::Call(std::string_view line, std::vector<std::string>* rest, int timeout_ms) {
  return DoCall(line, rest, timeout_ms, CallKind::kPlain);
}

void State::Post(std::string_view line) {
  auto lock = Lock();
  Connect();
  ++t_in_call;
  int r = client_.Post(line, 120000);
  --t_in_call;
  if (r < 0) Die("lost the connection to the target's bpfd", -r);
  stats_.sent += line.size() + 1;
  ReportPostedFailures();
}

// A posted command the target failed (the tool was told it succeeded): said on stderr.
void State::ReportPostedFailures() {
  for (const std::string& f : client_.TakeSkippedFailures())
    WarnOnce("the target failed a command sent without waiting for its reply: " + f);
}

void State::DrainPosted() {
  auto lock = Lock();
  if (!connected_ || forked_) return;  // a forked child must not read its parent's replies
  ++t_in_call;
  client_.Drain(5000);
  --t_in_call;
  ReportPostedFailures();
}

int64_t State::CallIfKnown(std::string_view line, std::vector<std::string>* rest) {
  return DoCall(line, rest, 120000, CallKind::kIfKnown);
}

int64_t State::CallCreation(std::string_view line, std::vector<std::string>* rest) {
  return DoCall(line, rest, 120000, CallKind::kCreation);
}

int64_t State::DoCall(std::string_view line, std::vector<std::string>* rest, int timeout_ms,
                      CallKind how) {
  auto lock = Lock();
  Connect();
  if (!prefetched_) {
    prefetched_ = true;
    Prefetch();
  }
  const bool creation = how == CallKind::kCreation;
  RecordAsked(line, creation);
  std::optional<Result<CallReply>> kept = TakePrefetched(line, creation);
  ++t_in_call;  // the client's own poll() lands in the library's interposer
  Result<CallReply> reply =
      kept ? std::move(*kept) : bpfd::Call(client_, line, {.timeout_ms = timeout_ms});
  --t_in_call;
  ReportPostedFailures();
  int err = reply.err();
  if (err < 0 && err != -EBADMSG && err != -EPROTO)
    Die("lost the connection to the target's bpfd", -err);
  if (!kept) Count(line, reply.ok() ? reply->bytes : 0);
  if (err == -EBADMSG && how == CallKind::kIfKnown) return err;
  if (err < 0) Die(reply.msg().c_str(), -err);
  if (rest) *rest = std::move(reply->data);
  int64_t ret = reply->ret;
  return ret;
}

namespace {
void Add(State::Stats* s, uint64_t calls, size_t sent, size_t received) {
  s->calls += calls;
  s->sent += sent;
  s->received += received;
}
}  // namespace

// One round trip's traffic: `line` sent, `received` bytes back.
void State::Count(std::string_view line, size_t received) {
  Add(&stats_, 1, line.size() + 1, received);
  if (g_print_stats >= 2) Add(&by_call_[CallKey(line)], 1, line.size() + 1, received);
}

// The profile's lines (prefetch.h) in one round trip, at the session's first call.
void State::Prefetch() {
  std::vector<std::string> lines = PrefetchLines();
  if (lines.empty()) return;
  ++t_in_call;
  std::vector<Result<CallReply>> replies = bpfd::CallBatch(client_, lines, {.timeout_ms = 120000});
  --t_in_call;
  size_t sent = 0, received = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    int err = replies[i].err();
    if (err < 0 && err != -EBADMSG && err != -EPROTO)
      Die("lost the connection to the target's bpfd", -err);
    const size_t got = replies[i].ok() ? replies[i]->bytes : 0;
    sent += lines[i].size() + 1;
    received += got;
    // Each line's traffic under its own key too, without a call.
    if (g_print_stats >= 2) Add(&by_call_[CallKey(lines[i])], 0, lines[i].size() + 1, got);
  }
  Add(&stats_, 1, sent, received);
  if (g_print_stats >= 2)
    Add(&by_call_["PREFETCH (" + std::to_string(lines.size()) + " lines)"], 1, sent, received);
  KeepPrefetched(lines, std::move(replies));
}

bool State::TakeInterrupted() { return client_.TakeInterrupted(); }

int State::Install(Obj* obj) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    delete obj;
    return -e;
  }
  if (fd >= kMaxFds) {
    Real().close(fd);
    delete obj;
    return -EMFILE;
  }
  table_[fd].store(obj, std::memory_order_release);
  return fd;
}

int State::InstallRemote(Obj* obj, int rfd) {
  obj->rfd = rfd;
  int fd = Install(obj);
  if (fd < 0) Post("SYS_CLOSE " + std::to_string(rfd));
  return fd;
}

void State::Share(int fd, Obj* obj) {
  if (fd < 0 || fd >= kMaxFds) return;
  Release(fd);  // dup2 onto a tracked fd
  ++obj->refs;
  table_[fd].store(obj, std::memory_order_release);
}

int State::Adopt(int fd, Obj* obj) {
  if (fd < 0 || fd >= kMaxFds) {
    delete obj;
    return -EMFILE;
  }
  Release(fd);
  obj->refs = 1;
  table_[fd].store(obj, std::memory_order_release);
  return fd;
}

void State::Release(int fd) {
  auto lock = Lock();
  Obj* obj = Find(fd);
  if (!obj) return;
  table_[fd].store(nullptr, std::memory_order_release);
  if (--obj->refs > 0) return;
  if (obj->rfd >= 0) Post("SYS_CLOSE " + std::to_string(obj->rfd));
  delete obj;
}

const TargetUname& State::Uname() {
  auto lock = Lock();
  if (!uname_) {
    std::vector<std::string> rest;
    auto u = std::make_unique<TargetUname>();
    // A failed query leaves the fields empty: uname() then keeps the local values.
    if (Call("SYS_UNAME", &rest) < 0 || rest.empty() || ParseUnameLine(rest[0], u.get()) < 0)
      *u = TargetUname();
    uname_ = std::move(u);
  }
  return *uname_;
}

int State::PossibleCpus() {
  auto lock = Lock();
  if (possible_cpus_ > 0) return possible_cpus_;
  std::vector<std::string> rest;
  std::string text;
  int n = 0;
  if (Call("FILE_READ " + Token("/sys/devices/system/cpu/possible"), &rest) >= 0 && !rest.empty() &&
      Untoken(rest[0], &text)) {
    // "0-3,5,7-8": count every listed CPU.
    for (std::string_view v = text; !v.empty();) {
      size_t comma = v.find(',');
      std::string_view part = v.substr(0, comma);
      while (!part.empty() && (part.back() == '\n' || part.back() == ' ')) part.remove_suffix(1);
      size_t dash = part.find('-');
      int lo = 0, hi = 0;
      if (dash == std::string_view::npos) {
        if (ParseInt(part, &lo)) n += 1;
      } else if (ParseInt(part.substr(0, dash), &lo) && ParseInt(part.substr(dash + 1), &hi)) {
        n += hi - lo + 1;
      }
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
  }
  possible_cpus_ = n > 0 ? n : 1;
  return possible_cpus_;
}

void WarnOnce(const std::string& what) {
  static auto* said = new std::set<std::string>();
  auto lock = State::Get().Lock();
  if (!said->insert(what).second) return;
  std::string line = "bpfd-remote: " + what + "\n";
  Real().write(g_stderr, line.data(), line.size());
}

std::string Token(const void* data, size_t len) {
  std::string out;
  AppendData(static_cast<const uint8_t*>(data), len, &out);
  return out;
}

bool Untoken(std::string_view tok, std::string* out) {
  std::vector<uint8_t> bytes;
  if (DecodeData(tok, &bytes) < 0) return false;
  out->assign(bytes.begin(), bytes.end());
  return true;
}

}  // namespace bpfd::preload
