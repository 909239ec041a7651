#include "tests/fuzz/scratch_ns.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/base/file_io.h"

namespace bpfd::fuzz {
namespace {

constexpr long kTmpfsMagic = 0x01021994;
constexpr long kTracefsMagic = 0x74726163;
constexpr long kBpffsMagic = 0xcafe4a11;

// What a tool may read or write in tracefs, as empty or plausible regular files: a write is
// kept, a read of trace_pipe returns at once.
constexpr const char* kTracefsFiles[] = {
    "kprobe_events",
    "uprobe_events",
    "dynamic_events",
    "trace_pipe",
    "trace",
    "set_event",
    "tracing_on",
    "available_events",
    "available_filter_functions",
    "events/enable",
};

int Fail(std::string* why, const std::string& what) {
  int e = errno ? errno : EIO;
  *why = what + ": " + std::strerror(e);
  return -e;
}

long FsType(const char* path) {
  struct statfs st;
  return statfs(path, &st) == 0 ? static_cast<long>(st.f_type) : 0;
}

int Tmpfs(const char* where, std::string* why) {
  if (mount("scratch", where, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m") != 0)
    return Fail(why, std::string("mount tmpfs on ") + where);
  return 0;
}

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#elif defined(__arm__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_ARM;
#endif

// From now on the process cannot change its mounts or namespaces (-EPERM). The daemon mounts a
// tracefs where it finds none (FindTracefs checks the statfs magic, which the fake tree does
// not have): that mount would put the real kprobe_events back on top of the fake one.
int ForbidMounts(std::string* why) {
  std::vector<sock_filter> f = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  const long denied[] = {
      __NR_mount,         __NR_umount2,    __NR_pivot_root,
      __NR_unshare,       __NR_setns,      __NR_chroot,
#ifdef __NR_open_tree
      __NR_open_tree,     __NR_move_mount, __NR_fsopen,
      __NR_fsconfig,      __NR_fsmount,    __NR_fspick,
#endif
#ifdef __NR_mount_setattr
      __NR_mount_setattr,
#endif
  };
  for (long nr : denied) {
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
  }
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog prog = {static_cast<unsigned short>(f.size()), f.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Fail(why, "PR_SET_NO_NEW_PRIVS");
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return Fail(why, "seccomp");
  return 0;
}

}  // namespace

int EnterScratchNamespace(std::string* why) {
  if (geteuid() != 0) {
    *why = "not root: mount namespaces and bpf() need root";
    return -EPERM;
  }
  if (unshare(CLONE_NEWNS) != 0) return Fail(why, "unshare(CLONE_NEWNS)");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    if (errno != EINVAL) return Fail(why, "making / private");
    // A chroot whose root is not a mount point: its enclosing mount cannot be made private
    // from here, so the scratch mounts would propagate to the host's namespace.
    *why = "/ is not a mount point (a chroot): scratch mounts would reach the host's namespace";
    return -ENOTSUP;
  }
  // The daemon finds tracefs through /proc/mounts and mounts one if none is listed: a real
  // tracefs under our scratch tree keeps it from mounting one on top.
  if (FsType("/sys/kernel/tracing") != kTracefsMagic &&
      mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return Fail(why, "mount tracefs (to hide it)");
  if (int r = Tmpfs("/sys/kernel/tracing", why); r < 0) return r;
  if (int r = Tmpfs("/sys/kernel/debug", why); r < 0) return r;
  mkdir("/sys/kernel/tracing/events", 0755);
  for (const char* f : kTracefsFiles)
    if (WriteFile(std::string("/sys/kernel/tracing/") + f, "", false) < 0)
      return Fail(why, std::string("creating the fake ") + f);
  mkdir("/sys/kernel/debug/tracing", 0755);
  mkdir("/sys/kernel/debug/kprobes", 0755);
  if (WriteFile("/sys/kernel/debug/kprobes/blacklist",
                "0xffffffff81000000-0xffffffff81000010 fuzz\n", false) < 0)
    return Fail(why, "creating the fake kprobes/blacklist");
  if (mount("/sys/kernel/tracing", "/sys/kernel/debug/tracing", nullptr, MS_BIND, nullptr) != 0)
    return Fail(why, "bind-mounting the fake tracefs at /sys/kernel/debug/tracing");
  if (mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV, "mode=0700") != 0)
    return Fail(why, "mount a fresh bpffs on /sys/fs/bpf");
  if (int r = Tmpfs("/sys/fs/cgroup", why); r < 0) return r;  // no real cgroup to attach to
  if (int r = Tmpfs("/tmp", why); r < 0) return r;
  // Belt and braces: what the handlers will see.
  struct stat st;
  if (FsType("/sys/kernel/tracing") != kTmpfsMagic ||
      FsType("/sys/kernel/debug/tracing") != kTmpfsMagic || FsType("/sys/fs/bpf") != kBpffsMagic ||
      FsType("/tmp") != kTmpfsMagic || stat("/sys/kernel/tracing/kprobe_events", &st) != 0 ||
      !S_ISREG(st.st_mode)) {
    errno = EIO;
    return Fail(why, "the scratch tree is not what was mounted");
  }
  if (int r = ForbidMounts(why); r < 0) return r;
  if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0 || errno != EPERM) {
    errno = EIO;
    return Fail(why, "a mount still works after the seccomp filter");
  }
  return 0;
}

}  // namespace bpfd::fuzz
