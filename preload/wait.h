// poll/ppoll/epoll for sets that contain ring placeholders: ready when the local mirror holds
// records, otherwise the target is asked (RING_POLL) in slices of at most 200 ms, so signals
// (Ctrl-C) end the wait promptly. Local fds in the same set are polled between slices.
#pragma once
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>

namespace bpfd::preload {

// *handled false: no ring placeholder in the set; the caller does the real call.
int WaitPoll(struct pollfd* fds, nfds_t n, int timeout_ms, const sigset_t* mask, bool* handled);
int EpollCtl(int epfd, int op, int fd, struct epoll_event* ev, bool* handled);
int EpollWait(int epfd, struct epoll_event* events, int max, int timeout_ms, const sigset_t* mask,
              bool* handled);
// A closed fd leaves every epoll registration (and a closed epoll fd its registry).
void EpollForget(int fd);

}  // namespace bpfd::preload
