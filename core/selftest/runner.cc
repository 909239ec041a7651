// The selftest runner and the checks that need no BPF program: kernel, config, privileges,
// bpf() itself, map create, program load, JIT, BTF, tracefs. The attach checks are in
// selftest_bpf.cc.
#include "core/selftest/selftest.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/base/unique_fd.h"
#include "core/kernel/bpf_insns.h"
#include "core/kernel/tracefs.h"
#include "core/selftest/checks.h"

namespace bpfd::selftest {

SelftestCheck Pass(std::string_view name, std::string reason) {
  return {"PASS", std::string(name), std::move(reason)};
}
SelftestCheck Fail(std::string_view name, std::string reason) {
  return {"FAIL", std::string(name), std::move(reason)};
}
SelftestCheck Skip(std::string_view name, std::string reason) {
  return {"SKIP", std::string(name), std::move(reason)};
}

std::string ErrnoText(int err) {
  if (err < 0) err = -err;
  static constexpr struct {
    int err;
    const char* name;
  } kNames[] = {{EPERM, "EPERM"},   {ENOENT, "ENOENT"},       {EACCES, "EACCES"},
                {EINVAL, "EINVAL"}, {ENOSYS, "ENOSYS"},       {EOPNOTSUPP, "EOPNOTSUPP"},
                {E2BIG, "E2BIG"},   {ENOMEM, "ENOMEM"},       {EBUSY, "EBUSY"},
                {ENODEV, "ENODEV"}, {ETIMEDOUT, "ETIMEDOUT"}, {EFAULT, "EFAULT"}};
  for (const auto& n : kNames)
    if (n.err == err) return std::string(n.name) + " (" + std::strerror(err) + ")";
  return "errno " + std::to_string(err) + " (" + std::strerror(err) + ")";
}

std::string NotSet(const Env& env, std::string_view name) {
  if (!env.config.loaded() || env.config.Enabled(name)) return "";
  return "CONFIG_" + std::string(name) + " is not set";
}

namespace {

constexpr char kPermFix[] = "run as root (or grant CAP_BPF and CAP_PERFMON)";

// The remedy for a bpf() error: permissions, or the kernel.
std::string BpfFix(int err) {
  if (err == -EPERM || err == -EACCES) return std::string("; fix: ") + kPermFix;
  return "";
}

SelftestCheck CheckKernel(std::string* release) {
  struct utsname u;
  if (uname(&u) != 0) return Fail("kernel", "uname() failed: " + ErrnoText(errno));
  *release = u.release;
  return Pass("kernel", std::string(u.sysname) + " " + u.release + " " + u.machine);
}

SelftestCheck CheckConfigSource(Env* env, const std::string& release) {
  int r = env->config.Load(release);
  if (r == 0) return Pass("kconfig", "read " + env->config.source());
  if (r == -ENOENT)
    return Skip("kconfig", "no /proc/config.gz (CONFIG_IKCONFIG_PROC off) and no /boot/config-" +
                               release + "; the config-* lines cannot be checked");
  return Fail("kconfig", "cannot read the kernel config: " + ErrnoText(r));
}

// Kernel options worth reporting, and what their absence costs.
// What an option's absence means: kNeeded a FAIL; kDegrades a SKIP (some tools cannot run);
// kOptional a PASS that says so (nothing bpfd does needs it).
enum class Need { kNeeded, kDegrades, kOptional };
struct Option {
  const char* name;
  const char* without;
  Need need = Need::kNeeded;
};
constexpr Option kOptions[] = {
    {"BPF_SYSCALL", "no bpf() syscall at all"},
    {"BPF_EVENTS", "BPF programs cannot attach to kprobes, uprobes or tracepoints"},
    {"PERF_EVENTS", "no perf events: no attaching, no perf buffers"},
    {"TRACEPOINTS", "no kernel tracepoints"},
    {"FTRACE_SYSCALLS", "no syscalls:sys_enter_*/sys_exit_* tracepoints"},
    {"KPROBES", "kprobe tools (function tracing in the kernel) cannot work"},
    {"UPROBES", "uprobe tools (user function tracing) cannot work"},
    {"UPROBE_EVENTS", "no uprobe_events/uprobe PMU: uprobe tools cannot work"},
    {"DEBUG_INFO_BTF",
     "no kernel BTF (/sys/kernel/btf/vmlinux): CO-RE/libbpf tools cannot run "
     "(BCC tools compiled against headers can)",
     Need::kDegrades},
    {"IKHEADERS",
     "optional: no in-kernel headers (/sys/kernel/kheaders.tar.xz) for "
     "`bpfd remote --kheaders`; the headers BCC compiles against stay on the host",
     Need::kOptional},
};

void CheckConfigOptions(const Env& env, std::vector<SelftestCheck>* out) {
  for (const Option& o : kOptions) {
    std::string name = std::string("config-") + o.name;
    if (!env.config.loaded()) {
      out->push_back(Skip(name, "kernel config not available"));
    } else if (env.config.Enabled(o.name)) {
      out->push_back(Pass(name, "CONFIG_" + std::string(o.name) + "=" + env.config.Value(o.name)));
    } else if (o.need == Need::kOptional) {
      out->push_back(Pass(name, NotSet(env, o.name) + ", " + o.without));
    } else if (o.need == Need::kDegrades) {
      out->push_back(Skip(name, NotSet(env, o.name) + ": " + o.without));
    } else {
      out->push_back(Fail(name, NotSet(env, o.name) + ": " + o.without +
                                    "; fix: a kernel built with CONFIG_" + o.name + "=y"));
    }
  }
}

// CapEff from /proc/self/status; false when unreadable.
bool EffectiveCaps(uint64_t* caps) {
  std::string status;
  if (ReadFile("/proc/self/status", &status) < 0) return false;
  size_t p = status.find("\nCapEff:");
  if (p == std::string::npos) return false;
  *caps = std::strtoull(status.c_str() + p + 8, nullptr, 16);
  return true;
}

SelftestCheck CheckPrivileges() {
  constexpr int kCapSysAdmin = 21, kCapPerfmon = 38, kCapBpf = 39;
  uint64_t caps = 0;
  std::string who = geteuid() == 0 ? "root" : "uid " + std::to_string(geteuid());
  if (!EffectiveCaps(&caps))
    return Skip("privileges", who + "; cannot read CapEff from /proc/self/status");
  auto has = [caps](int cap) { return (caps >> cap) & 1; };
  if (has(kCapSysAdmin)) return Pass("privileges", who + " with CAP_SYS_ADMIN");
  if (has(kCapBpf) && has(kCapPerfmon))
    return Pass("privileges", who + " with CAP_BPF and CAP_PERFMON");
  return Fail("privileges",
              who + " without CAP_SYS_ADMIN or CAP_BPF+CAP_PERFMON; fix: " + kPermFix);
}

SelftestCheck CheckBpfSyscall(Env* env) {
  // An all-zero BPF_MAP_CREATE (map type 0) is invalid: EINVAL proves bpf() is there.
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  long r = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
  int err = r < 0 ? errno : 0;
  if (r >= 0) close(static_cast<int>(r));
  if (r >= 0 || err == EINVAL) {
    env->bpf = true;
    return Pass("bpf-syscall", "bpf() is implemented");
  }
  if (err == ENOSYS)
    return Fail("bpf-syscall",
                "bpf() is not implemented here (ENOSYS): qemu-user, or a kernel without "
                "CONFIG_BPF_SYSCALL; fix: run on a real kernel built with CONFIG_BPF_SYSCALL=y");
  if (err == EPERM || err == EACCES)
    return Fail("bpf-syscall", "bpf() is not permitted: " + ErrnoText(err) +
                                   " (kernel.unprivileged_bpf_disabled, seccomp or no "
                                   "capability); fix: " +
                                   kPermFix);
  return Fail("bpf-syscall", "bpf() failed: " + ErrnoText(err));
}

SelftestCheck CheckMapCreate(Env* env) {
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfd_st_map", 4, 8, 1, nullptr);
  if (fd < 0) return Fail("map-create", "array map create failed: " + ErrnoText(fd) + BpfFix(fd));
  close(fd);
  env->map = true;
  return Pass("map-create", "array map created and released");
}

SelftestCheck CheckProgLoad(Env* env) {
  using namespace insn;
  const bpf_insn prog[] = {Mov64Imm(BPF_REG_0, 0), Exit()};
  int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "bpfd_st_load", "GPL", prog, 2, nullptr);
  if (fd < 0) {
    std::string why = NotSet(*env, "BPF_EVENTS");
    return Fail("prog-load", "tracepoint program load failed: " + ErrnoText(fd) +
                                 (why.empty() ? "" : " (" + why + ")") + BpfFix(fd));
  }
  close(fd);
  env->prog = true;
  return Pass("prog-load", "tracepoint program loaded and released");
}

SelftestCheck CheckJit() {
  constexpr char kPath[] = "/proc/sys/net/core/bpf_jit_enable";
  std::string v;
  int r = ReadFile(kPath, &v);
  if (r < 0) return Skip("jit", std::string("cannot read ") + kPath + ": " + ErrnoText(r));
  int mode = std::atoi(v.c_str());
#if defined(__arm__)
  // The 32-bit ARM JIT rejects 64-bit atomics (ENOTSUPP, 524), which counting programs use:
  // the interpreter is the working choice there, not a fault.
  if (mode == 0)
    return Skip("jit",
                "JIT disabled: programs run in the interpreter, which on 32-bit ARM also "
                "runs the 64-bit atomics its JIT rejects");
#endif
  if (mode == 0)
    return Fail("jit", "JIT disabled: programs run in the interpreter (slower); fix: echo 1 > " +
                           std::string(kPath));
  return Pass("jit", mode == 2 ? "JIT enabled (with debug output)" : "JIT enabled");
}

SelftestCheck CheckBtf(const Env& env) {
  constexpr char kPath[] = "/sys/kernel/btf/vmlinux";
  struct stat st;
  if (stat(kPath, &st) == 0)
    return Pass("btf", std::string(kPath) + " (" + std::to_string(st.st_size) + " bytes)");
  std::string why = NotSet(env, "DEBUG_INFO_BTF");
  // Optional for bpfd's BCC-style tools (compiled on the host against headers): a SKIP.
  return Skip("btf", std::string("no ") + kPath + (why.empty() ? "" : " (" + why + ")") +
                         ": CO-RE/libbpf tools cannot run here (BCC tools compiled against "
                         "headers can); for them: a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

SelftestCheck CheckTracefs(Env* env) {
  std::string path;
  int r = FindTracefs(&path);
  if (r == 0) {
    env->tracefs = path;
    return Pass("tracefs", "mounted at " + path);
  }
  std::string fix = "; fix: mount -t tracefs nodev /sys/kernel/tracing";
  if (r == -EPERM || r == -EACCES)
    return Fail("tracefs",
                "not mounted, and mounting it was refused: " + ErrnoText(r) + "; fix: " + kPermFix);
  if (r == -ENODEV)
    return Fail("tracefs",
                "the kernel has no tracefs (CONFIG_TRACING off); fix: a kernel built "
                "with CONFIG_FTRACE=y");
  return Fail("tracefs", "not found and could not be mounted: " + ErrnoText(r) + fix);
}

}  // namespace
}  // namespace bpfd::selftest

namespace bpfd {

int RunSelftest(std::vector<SelftestCheck>* out) {
  using namespace selftest;
  out->clear();
  Env env;
  std::string release;
  out->push_back(CheckKernel(&release));
  out->push_back(CheckConfigSource(&env, release));
  CheckConfigOptions(env, out);
  out->push_back(CheckPrivileges());
  out->push_back(CheckBpfSyscall(&env));
  const std::string needs_bpf = "needs bpf() (bpf-syscall failed)";
  out->push_back(env.bpf ? CheckMapCreate(&env) : Skip("map-create", needs_bpf));
  out->push_back(env.bpf ? CheckProgLoad(&env) : Skip("prog-load", needs_bpf));
  out->push_back(CheckJit());
  out->push_back(CheckBtf(env));
  out->push_back(CheckTracefs(&env));

  // The attach checks need a map and a program; the tracepoint one also needs tracefs.
  std::string missing = !env.bpf    ? needs_bpf
                        : !env.map  ? "needs map-create (it failed)"
                        : !env.prog ? "needs prog-load (it failed)"
                                    : "";
  auto run = [&](const char* name, SelftestCheck (*check)(const Env&)) {
    out->push_back(missing.empty() ? check(env) : Skip(name, missing));
  };
  if (missing.empty() && env.tracefs.empty()) {
    out->push_back(Skip("tracepoint", "needs tracefs (it failed)"));
  } else {
    run("tracepoint", CheckTracepointRoundTrip);
  }
  run("kprobe", CheckKprobe);
  run("uprobe", CheckUprobe);
  run("ringbuf", CheckRingbuf);
  run("raw-tracepoint", CheckRawTracepoint);

  int fails = 0;
  for (const SelftestCheck& c : *out) fails += c.status == "FAIL";
  return fails;
}

}  // namespace bpfd
