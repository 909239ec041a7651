// Ring mirroring (docs/protocol.md "Forwarding"):
//   RING_MAP fd perf|ringbuf data_size      -> ret=<0 or -errno>: maps a session fd's perf ring
//                                              or BPF ringbuf
//   RING_POLL timeout_ms fd:max_bytes...    -> ret=<rings with data>, then "<fd> <records>" each
#include <algorithm>
#include <cerrno>

#include "core/daemon/handler.h"
#include "core/kernel/bpf_call.h"
#include "core/kernel/ring_mirror.h"
#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr int kMaxPollMs = 10000;

struct RingArg {
  int fd;
  uint64_t max_bytes;
  RingMirror* ring = nullptr;
};

// "fd:max_bytes" -> true
bool ParseRingArg(std::string_view t, RingArg* out) {
  size_t colon = t.find(':');
  return colon != std::string_view::npos && ParseInt(t.substr(0, colon), &out->fd) &&
         ParseUint64(t.substr(colon + 1), &out->max_bytes);
}

bool AnyData(const std::vector<RingArg>& rings) {
  return std::any_of(rings.begin(), rings.end(),
                     [](const RingArg& g) { return g.ring->HasData(); });
}

// RING_MAP fd perf|ringbuf data_size -> 0 or -errno (-EBADF: not the session's; -EBUSY: mapped)
Verdict CmdRingMap(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t size;
  if (!ParseInt(a[0], &fd) || (a[1] != "perf" && a[1] != "ringbuf") || !ParseUint64(a[2], &size))
    return Verdict::kBadArgs;
  ForwardedFd* f = s.FindForwardedFd(fd);
  int ret = !f ? -EBADF : f->ring ? -EBUSY : 0;
  if (ret == 0) {
    RingKind kind = a[1] == "perf" ? RingKind::kPerf : RingKind::kRingbuf;
    ret = RingMirror::Map(fd, kind, size, &f->ring);
  }
  return r.Ret(ret);
}

// RING_POLL timeout_ms fd:max_bytes… -> ret = rings with data, then "<fd> <records>" each
Verdict CmdRingPoll(Session& s, Args a, CommandReply& r) {
  int timeout;
  if (!ParseInt(a[0], &timeout)) return Verdict::kBadArgs;
  std::vector<RingArg> rings(a.size() - 1);
  for (size_t i = 1; i < a.size(); ++i)
    if (!ParseRingArg(a[i], &rings[i - 1])) return Verdict::kBadArgs;
  for (RingArg& g : rings) {
    ForwardedFd* f = s.FindForwardedFd(g.fd);
    bool dup = std::count_if(rings.begin(), rings.end(),
                             [&](const RingArg& o) { return o.fd == g.fd; }) > 1;
    if (!f || !f->ring || dup) return r.Ret(dup ? -EINVAL : -EBADF);
    g.ring = f->ring.get();
  }
  std::vector<int> fds;
  for (const RingArg& g : rings) fds.push_back(g.fd);
  int ret =
      WaitUnlessInput(s, fds, std::clamp(timeout, 0, kMaxPollMs), [&] { return AnyData(rings); });
  if (ret < 0) return r.Ret(ret);
  std::string lines;
  int with_data = 0;
  std::vector<uint8_t> bytes;
  for (const RingArg& g : rings) {
    bytes.clear();
    if (g.ring->Take(g.max_bytes, &bytes) == 0) continue;
    ++with_data;
    lines.append(std::to_string(g.fd)).push_back(' ');
    AppendData(bytes.data(), bytes.size(), &lines);
    lines.push_back('\n');
  }
  r.Ret(with_data);
  r.raw()->append(lines);
  return Verdict::kDone;
}

constexpr Command kForwardRingCommands[] = {
    {"RING_MAP", 3, "ring_map", CmdRingMap},
    {"RING_POLL", 2, "ring_poll", CmdRingPoll},
};

}  // namespace

CommandGroup ForwardRingCommands() { return kForwardRingCommands; }

}  // namespace bpfd
