// perf_event_open(2) and the perf ioctls, run on the target (SYS_PERF_EVENT_OPEN, SYS_IOCTL).
#pragma once
#include <linux/perf_event.h>
#include <sys/types.h>

namespace bpfd::preload {

// As the syscall: the new (placeholder) fd, or -1 with errno.
long ForwardPerfEventOpen(struct perf_event_attr* attr, pid_t pid, int cpu, int group_fd,
                          unsigned long flags);
// For a placeholder fd of a perf event: as ioctl(2). Other requests: -1/ENOTTY.
int ForwardPerfIoctl(int fd, unsigned long request, unsigned long arg);

}  // namespace bpfd::preload
