#include "preload/wait.h"

#include <time.h>

#include <cerrno>
#include <map>
#include <vector>

#include "preload/prefetch.h"
#include "preload/real.h"
#include "preload/rings.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

constexpr int kSliceMs = 200;
constexpr int kLocalSliceMs = 20;  // when local fds share the wait

// epoll fd → (ring placeholder fd → the tool's registration). Under State's lock.
std::map<int, std::map<int, epoll_event>>& Registry() {
  static auto* r = new std::map<int, std::map<int, epoll_event>>();
  return *r;
}

// Runs the slice loop: ready() counts what is ready now (filling the caller's results);
// returns when something is, the time is up, or a signal came.
template <typename Ready>
int SliceLoop(const std::vector<int>& rings, bool have_local, int timeout_ms, Ready ready) {
  State& st = State::Get();
  StartupEnded();  // the tool's first wait for events ends its start-up
  const int64_t deadline = timeout_ms < 0 ? -1 : NowMs() + timeout_ms;
  while (true) {
    int n = ready();
    if (n != 0) return n;
    int64_t left = deadline < 0 ? kSliceMs : deadline - NowMs();
    if (left <= 0) return 0;
    int slice = static_cast<int>(std::min<int64_t>(left, have_local ? kLocalSliceMs : kSliceMs));
    bool interrupted;
    {
      auto lock = st.Lock();
      FillRings(rings, slice);
      interrupted = st.TakeInterrupted();
    }
    // As a local poll would: EINTR first, records stay for the next call. (Handing them
    // over now would run the tool's callbacks with the signal pending, and Python raises
    // KeyboardInterrupt inside a ctypes callback, where it is swallowed.)
    if (interrupted) {
      errno = EINTR;
      return -1;
    }
  }
}

}  // namespace

int WaitPoll(struct pollfd* fds, nfds_t n, int timeout_ms, const sigset_t* mask, bool* handled) {
  std::vector<int> rings;
  std::vector<nfds_t> ring_idx;
  std::vector<pollfd> local;
  std::vector<nfds_t> local_idx;
  for (nfds_t i = 0; i < n; ++i) {
    if (IsRingFd(fds[i].fd)) {
      rings.push_back(fds[i].fd);
      ring_idx.push_back(i);
    } else {
      local.push_back(fds[i]);
      local_idx.push_back(i);
    }
  }
  *handled = !rings.empty();
  if (!*handled) return 0;
  State& st = State::Get();
  auto ready = [&]() -> int {
    int count = 0;
    for (nfds_t i = 0; i < n; ++i) fds[i].revents = 0;
    {
      auto lock = st.Lock();
      for (nfds_t i : ring_idx) {
        Obj* o = st.Find(fds[i].fd);
        if ((fds[i].events & POLLIN) && o && o->ring && o->ring->HasData()) {
          fds[i].revents = POLLIN;
          ++count;
        }
      }
    }
    if (!local.empty()) {
      timespec zero = {0, 0};
      int r = Real().ppoll(local.data(), local.size(), &zero, mask);
      if (r < 0) return -1;
      for (size_t j = 0; j < local.size(); ++j) {
        fds[local_idx[j]].revents = local[j].revents;
        if (local[j].revents) ++count;
      }
    }
    return count;
  };
  return SliceLoop(rings, !local.empty(), timeout_ms, ready);
}

int EpollCtl(int epfd, int op, int fd, struct epoll_event* ev, bool* handled) {
  State& st = State::Get();
  Obj* o = st.Find(fd);
  *handled = o && (o->kind == Kind::kPerf || o->kind == Kind::kMap);
  if (!*handled) return 0;
  auto lock = st.Lock();
  auto& regs = Registry()[epfd];
  switch (op) {
    case EPOLL_CTL_ADD:
      if (regs.count(fd)) return errno = EEXIST, -1;
      if (!ev) return errno = EFAULT, -1;
      regs[fd] = *ev;
      return 0;
    case EPOLL_CTL_MOD:
      if (!regs.count(fd)) return errno = ENOENT, -1;
      if (!ev) return errno = EFAULT, -1;
      regs[fd] = *ev;
      return 0;
    case EPOLL_CTL_DEL:
      if (!regs.erase(fd)) return errno = ENOENT, -1;
      return 0;
    default:
      return errno = EINVAL, -1;
  }
}

int EpollWait(int epfd, struct epoll_event* events, int max, int timeout_ms, const sigset_t* mask,
              bool* handled) {
  State& st = State::Get();
  std::vector<int> rings;
  std::vector<epoll_event> regs;
  {
    auto lock = st.Lock();
    auto it = Registry().find(epfd);
    if (it != Registry().end()) {
      for (auto& [fd, ev] : it->second) {
        if (!IsRingFd(fd)) continue;
        rings.push_back(fd);
        regs.push_back(ev);
      }
    }
  }
  *handled = !rings.empty() && max > 0;
  if (!*handled) return 0;
  auto ready = [&]() -> int {
    int count = 0;
    {
      auto lock = st.Lock();
      for (size_t i = 0; i < rings.size() && count < max; ++i) {
        Obj* o = st.Find(rings[i]);
        if ((regs[i].events & EPOLLIN) && o && o->ring && o->ring->HasData()) {
          events[count] = regs[i];
          events[count].events = EPOLLIN;
          ++count;
        }
      }
    }
    if (count < max) {
      int r = Real().epoll_pwait(epfd, events + count, max - count, 0, mask);
      if (r > 0) count += r;
    }
    return count;
  };
  // Local fds in the same epoll set (rare with ring buffers) are checked between slices.
  return SliceLoop(rings, false, timeout_ms, ready);
}

void EpollForget(int fd) {
  auto& reg = Registry();
  if (reg.empty()) return;
  reg.erase(fd);
  for (auto& [ep, fds] : reg) fds.erase(fd);
}

}  // namespace bpfd::preload
