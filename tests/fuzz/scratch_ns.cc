#include "tests/fuzz/scratch_ns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

}  // namespace

int EnterScratchNamespace(std::string* why) {
  if (geteuid() != 0) {
    *why = "not root: mount namespaces and bpf() need root";
    return -EPERM;
  }
  if (unshare(CLONE_NEWNS) != 0) return Fail(why, "unshare(CLONE_NEWNS)");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return Fail(why, "making / private");
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
  return 0;
}

}  // namespace bpfd::fuzz
