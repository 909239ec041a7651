// The FILE_* policy (core/daemon/file_policy.h) through a real Session, on this machine's real
// files: what tracing tools need still works (tracefs, kallsyms, BTF, another process's maps,
// exe and ELF files below its root, perf maps, uprobe_events writes), everything else is
// -EACCES with nothing created, through openat2 and through the fallback walk alike, and an
// unrestricted session (bpfd daemon --unrestricted) reads /etc/shadow again. Needs root (tag
// no-sandbox through the bpf_ prefix): SKIPs without it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/daemon/file_policy.h"
#include "core/daemon/session.h"
#include "core/kernel/tracefs.h"
#include "core/kernel/usyms.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

using namespace bpfd;
using namespace bpfd::testutil;

namespace {

std::string Path(const std::string& p) { return Data(p.data(), p.size()); }
std::string Str(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }
std::string N(long long v) { return std::to_string(v); }

// A child that waits to be killed: "another process" for /proc/PID.
struct Child {
  pid_t pid = fork();
  Child() {
    if (pid == 0) {
      for (;;) pause();
    }
  }
  ~Child() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::string proc() const { return "/proc/" + std::to_string(pid); }
};

// What /proc/self/exe (or another process's exe link) names.
std::string SelfExe(const std::string& link = "/proc/self/exe") {
  std::string exe(4096, '\0');
  ssize_t n = readlink(link.c_str(), exe.data(), exe.size());
  exe.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return exe;
}

#define REQUIRE_ROOT() \
  if (geteuid() != 0) SKIP("needs root (reading other processes' /proc/PID/root)")

// What stderr received while fn ran.
template <typename F>
std::string Stderr(F fn) {
  std::fflush(stderr);
  char tmpl[] = "/tmp/bpfd_policy_stderr.XXXXXX";
  int fd = mkstemp(tmpl);
  int saved = dup(2);
  dup2(fd, 2);
  fn();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::string text;
  ReadFile(tmpl, &text);
  unlink(tmpl);
  return text;
}

}  // namespace

TEST(RefusesWhatTracingDoesNotNeed) {
  REQUIRE_ROOT();
  Child c;
  Session s;
  const std::string me = "/proc/" + std::to_string(getpid());
  const std::string task_mem = c.proc() + "/task/" + std::to_string(c.pid) + "/mem";
  for (const std::string& p :
       {std::string("/etc/shadow"), std::string("/sys/kernel/tracing/../../../etc/shadow"),
        std::string("/sys/kernel/debug/tracing/../../../../etc/shadow"), std::string("etc/shadow"),
        std::string("/proc/self/mem"), std::string("/proc/self/status"), c.proc() + "/mem",
        me + "/mem", c.proc() + "/environ", task_mem, c.proc() + "/fd/0",
        c.proc() + "/cwd/etc/shadow", std::string("/proc/1/root/etc/shadow"),
        c.proc() + "/root/etc/passwd", std::string("/sys/kernel/debug/dynamic_debug/control"),
        std::string("/sys/kernel/notes")}) {
    EXPECT_EQ(Ret(s, "FILE_READ " + Path(p)), -EACCES);
    EXPECT_EQ(Ret(s, "FILE_OPEN " + Path(p) + " " + N(O_RDONLY) + " 0"), -EACCES);
  }
  EXPECT_EQ(Ret(s, "FILE_STAT " + Path("/etc/shadow") + " 1"), -EACCES);
  EXPECT_EQ(Ret(s, "FILE_ACCESS " + Path("/etc/shadow") + " 0"), -EACCES);
  EXPECT_EQ(Ret(s, "FILE_LIST " + Path("/etc")), -EACCES);
  EXPECT_EQ(Ret(s, "FILE_LIST " + Path(c.proc() + "/root/etc")), -EACCES);
  EXPECT_EQ(Ret(s, "FILE_READLINK " + Path(c.proc() + "/cwd")), -EACCES);
  EXPECT_EQ(Ret(s, "FILE_STATFS " + Path("/")), -EACCES);
  // Writes: nothing is created, and only kprobe_events/uprobe_events are written.
  const int create = O_WRONLY | O_CREAT | O_TRUNC;
  for (const std::string& p :
       {"/tmp/bpfd_policy_" + std::to_string(getpid()), std::string("/etc/cron.d/bpfd_policy"),
        std::string("/sys/kernel/tracing/bpfd_policy"),
        std::string("/proc/1/root/tmp/bpfd_policy")}) {
    EXPECT_EQ(Ret(s, "FILE_OPEN " + Path(p) + " " + N(create) + " " + N(04755)), -EACCES);
    EXPECT(access(p.c_str(), F_OK) != 0);
  }
  for (const char* p : {"/sys/kernel/tracing/trace", "/sys/kernel/tracing/events/enable",
                        "/sys/kernel/tracing/current_tracer", "/proc/sys/kernel/ftrace_enabled"})
    EXPECT_EQ(Ret(s, "FILE_OPEN " + Path(p) + " " + N(O_WRONLY) + " 0"), -EACCES);
  // One stderr line per refusal, naming the command and the path.
  std::string err = Stderr([&] { Ret(s, "FILE_READ " + Path("/etc/shadow")); });
  EXPECT_EQ(err, std::string("bpfd: policy: FILE_READ /etc/shadow refused (not a tracing path; "
                             "--unrestricted lifts this)\n"));
}

TEST(TracingFilesStillWork) {
  REQUIRE_ROOT();
  Session s;
  std::string tracefs;
  if (FindTracefs(&tracefs) < 0) SKIP("no tracefs");
  for (const std::string dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    std::string id;
    const std::string id_path = dir + "/events/syscalls/sys_enter_getpid/id";
    if (ReadFile(id_path, &id) < 0) continue;  // not mounted there
    auto rd = Cmd(s, "FILE_READ " + Path(id_path));
    EXPECT(RetOf(rd) == static_cast<long long>(id.size()) && rd.size() == 2 &&
           Str(UnData(rd[1])) == id);
    EXPECT(Ret(s, "FILE_LIST " + Path(dir + "/events/syscalls")) > 10);
    EXPECT_EQ(Ret(s, "FILE_READ " + Path(dir + "/events")), -EISDIR);  // the host's dir probe
    EXPECT_EQ(Ret(s, "FILE_STATFS " + Path(dir)), 0);
  }
  EXPECT_EQ(Ret(s, "FILE_ACCESS " + Path("/sys/kernel/debug") + " 0"), 0);
  EXPECT(Ret(s, "FILE_LIST " + Path("/sys/kernel/debug")) > 0);
  EXPECT(Ret(s, "FILE_READ " + Path("/proc/kallsyms")) > 1000);
  EXPECT(Ret(s, "FILE_READ " + Path("/sys/devices/system/cpu/possible")) > 0);
  EXPECT(Ret(s, "FILE_READ " + Path("/proc/sys/kernel/perf_event_paranoid")) > 0);
  struct stat st;
  if (stat("/sys/kernel/btf/vmlinux", &st) == 0) {
    EXPECT_EQ(Ret(s, "FILE_READ " + Path("/sys/kernel/btf/vmlinux")),
              static_cast<long long>(st.st_size));
  }
  // A PMU's type, through the event_source symlink into /sys/devices.
  if (access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0)
    EXPECT(Ret(s, "FILE_READ " + Path("/sys/bus/event_source/devices/uprobe/type")) > 0);
}

TEST(AnotherProcessAsTracersReadIt) {
  REQUIRE_ROOT();
  Child c;
  Session s;
  const std::string exe = SelfExe();
  // The child's exe as the kernel names it (under qemu-user: qemu, not this test).
  const std::string child_exe = SelfExe(c.proc() + "/exe");
  std::string bytes, child_bytes;
  EXPECT_EQ(ReadFile(exe, &bytes, 256u << 20), 0);
  EXPECT_EQ(ReadFile(child_exe, &child_bytes, 256u << 20), 0);
  EXPECT(Ret(s, "FILE_READ " + Path(c.proc() + "/maps")) > 100);
  EXPECT(Ret(s, "FILE_READ " + Path(c.proc() + "/status")) > 100);
  auto rd = Cmd(s, "FILE_READ " + Path(c.proc() + "/exe"));  // the one magic link followed
  EXPECT(RetOf(rd) == static_cast<long long>(child_bytes.size()) && rd.size() == 2 &&
         Str(UnData(rd[1])) == child_bytes);
  auto lst = Cmd(s, "FILE_STAT " + Path(c.proc() + "/exe") + " 0");
  EXPECT(lst.size() == 2 && S_ISLNK(std::stoul(lst[1])));
  auto fst = Cmd(s, "FILE_STAT " + Path(c.proc() + "/exe") + " 1");
  EXPECT(fst.size() == 2 && S_ISREG(std::stoul(fst[1])));
  auto rl = Cmd(s, "FILE_READLINK " + Path(c.proc() + "/exe"));
  EXPECT(rl.size() == 2 && Str(UnData(rl[1])) == child_exe);
  EXPECT_EQ(Ret(s, "FILE_STAT " + Path(c.proc() + "/ns/mnt") + " 1"), 0);
  EXPECT(Ret(s, "FILE_READLINK " + Path(c.proc() + "/ns/mnt")) > 0);
  EXPECT(Ret(s, "FILE_READ " + Path(c.proc() + "/task/" + std::to_string(c.pid) + "/comm")) > 0);
  // Below its root: ELF files (whole or in pieces), metadata of anything, directories -EISDIR.
  const std::string via = c.proc() + "/root" + exe;
  rd = Cmd(s, "FILE_READ " + Path(via));
  EXPECT(RetOf(rd) == static_cast<long long>(bytes.size()) && rd.size() == 2 &&
         Str(UnData(rd[1])) == bytes);
  long long fd = Ret(s, "FILE_OPEN " + Path(via) + " " + N(O_RDONLY) + " 0");
  EXPECT(fd > 2);
  auto pr = Cmd(s, "FILE_PREAD " + N(fd) + " 0 4");
  EXPECT(pr.size() == 2 && Str(UnData(pr[1])) ==
                               "\x7f"
                               "ELF");
  EXPECT_EQ(Ret(s, "FILE_STAT " + Path(c.proc() + "/root/etc/shadow") + " 1"), 0);
  EXPECT_EQ(Ret(s, "FILE_READ " + Path(c.proc() + "/root")), -EISDIR);
  EXPECT_EQ(Ret(s, "FILE_READ " + Path(c.proc() + "/root/usr")), -EISDIR);
  // BCC's perf maps are read; one that is a symlink is not.
  const std::string map = "/tmp/perf-" + std::to_string(c.pid) + ".map";
  const std::string link = "/tmp/perf-" + std::to_string(c.pid + 1000000) + ".map";
  EXPECT_EQ(WriteFile(map, "7f0000001000 10 jitted\n", false), 0);
  symlink("/etc/shadow", link.c_str());
  EXPECT_EQ(Ret(s, "FILE_READ " + Path(c.proc() + "/root" + map)), 23);
  EXPECT_EQ(Ret(s, "FILE_READ " + Path(c.proc() + "/root" + link)), -EACCES);
  unlink(map.c_str());
  unlink(link.c_str());
}

// The same paths through openat2 and through the walk the daemon falls back to without it.
// BCC's bpflist: another process's fd/ lists, and its links are read only where they name a
// BPF or perf object (an anon inode); a file's name is -EACCES without a stderr line, and the
// link is never followed.
TEST(FdLinksNameBpfObjectsOnly) {
  REQUIRE_ROOT();
  REQUIRE_BPF();
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfd_fdlink", 4, 8, 1, nullptr));
  UniqueFd file(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
  EXPECT(map.valid() && file.valid());
  Child c;  // holds both: inherited across fork
  Session s;
  const std::string fds = c.proc() + "/fd/";
  EXPECT(Ret(s, "FILE_LIST " + Path(c.proc() + "/fd")) >= 2);
  auto rl = Cmd(s, "FILE_READLINK " + Path(fds + N(map.get())));
  EXPECT(rl.size() == 2 && Str(UnData(rl[1])) == "anon_inode:bpf-map");
  std::string err =
      Stderr([&] { EXPECT_EQ(Ret(s, "FILE_READLINK " + Path(fds + N(file.get()))), -EACCES); });
  EXPECT_EQ(err, std::string());
  for (const std::string& cmd :
       {"FILE_READ " + Path(fds + N(file.get())), "FILE_STAT " + Path(fds + N(file.get())) + " 1",
        "FILE_STAT " + Path(fds + N(map.get())) + " 0",
        "FILE_OPEN " + Path(fds + N(file.get())) + " 0 0"})
    EXPECT_EQ(Ret(s, cmd), -EACCES);
}

TEST(BothResolversAgree) {
  REQUIRE_ROOT();
  Child c;
  Session s;
  char tmpl[] = "/tmp/bpfd_policy_links.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  symlink("/etc/shadow", (dir + "/abs").c_str());  // resolved inside the process's root
  symlink("../../../../../../etc/shadow", (dir + "/up").c_str());
  symlink(SelfExe().c_str(), (dir + "/elf").c_str());
  struct Want {
    std::string path;
    FileOp op;
    int ret;
  };
  std::vector<Want> wants = {
      {"/etc/shadow", FileOp::kRead, -EACCES},
      {"/proc/1/root/etc/shadow", FileOp::kRead, -EACCES},
      {c.proc() + "/root" + dir + "/abs", FileOp::kRead, -EACCES},
      {c.proc() + "/root" + dir + "/up", FileOp::kRead, -EACCES},
      {c.proc() + "/root" + dir + "/elf", FileOp::kRead, 0},
      {c.proc() + "/root" + dir + "/abs", FileOp::kStat, 0},
      {c.proc() + "/root" + dir + "/abs", FileOp::kLstat, 0},
      {c.proc() + "/exe", FileOp::kRead, 0},
      {c.proc() + "/mem", FileOp::kRead, -EACCES},
      {"/proc/kallsyms", FileOp::kRead, 0},
      {"/sys/kernel/tracing/events", FileOp::kList, 0},
      {"/sys/kernel/tracing/uprobe_events", FileOp::kRead, 0},
  };
  if (access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0)
    wants.push_back({"/sys/bus/event_source/devices/uprobe/type", FileOp::kRead, 0});
  for (const Want& w : wants) {
    for (Resolver res : {Resolver::kAuto, Resolver::kFallback}) {
      FileTarget t;
      int r = ResolveFileTarget(s, "TEST", w.path, w.op, 0, 0, &t, res);
      if (r != w.ret)
        std::printf("  %s (%s): %d\n", w.path.c_str(), res == Resolver::kAuto ? "auto" : "walk", r);
      EXPECT_EQ(r, w.ret);
    }
  }
  for (const char* name : {"/abs", "/up", "/elf"}) unlink((dir + name).c_str());
  rmdir(dir.c_str());
}

// Writes reach uprobe_events; O_CREAT is dropped there and O_TRUNC refused (truncating it would
// delete every session's events).
TEST(UprobeEventsWritableNeverTruncated) {
  REQUIRE_ROOT();
  const std::string ev = "/sys/kernel/tracing/uprobe_events";
  if (access(ev.c_str(), W_OK) != 0) SKIP("no " + ev);
  const std::string exe = SelfExe();
  uint64_t off = 0;
  if (UserSymbols::FileOffsetForSymbol(exe, "main", &off) < 0) SKIP("no main in " + exe);
  char hex[32];
  std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(off));
  const std::string name = "pol" + std::to_string(getpid());
  std::string listing;
  {
    Session s;
    const std::string flags = N(O_WRONLY | O_APPEND | O_CREAT);
    long long fd = Ret(s, "FILE_OPEN " + Path(ev) + " " + flags + " 420");
    EXPECT(fd > 2);
    std::string def = "p:bpfd_policy/" + name + " " + exe + ":" + hex;
    EXPECT_EQ(Ret(s, "FILE_WRITE " + N(fd) + " " + Path(def)), static_cast<long long>(def.size()));
    EXPECT(Ret(s, "FILE_OPEN " + Path(ev) + " " + flags + " 420") > 2);
    EXPECT_EQ(Ret(s, "FILE_OPEN " + Path(ev) + " " + N(O_WRONLY | O_TRUNC) + " 0"), -EACCES);
    ReadFile(ev, &listing);
    EXPECT(listing.find("bpfd_policy/" + name) != std::string::npos);
  }
  ReadFile(ev, &listing);
  EXPECT(listing.find("bpfd_policy/" + name) == std::string::npos);  // the session removed it
}

TEST(UnrestrictedReadsShadow) {
  REQUIRE_ROOT();
  std::string shadow;
  if (ReadFile("/etc/shadow", &shadow) < 0) SKIP("no /etc/shadow here");
  Session s(SessionOptions{.unrestricted = true});
  auto rd = Cmd(s, "FILE_READ " + Path("/etc/shadow"));
  EXPECT(RetOf(rd) == static_cast<long long>(shadow.size()) && rd.size() == 2 &&
         Str(UnData(rd[1])) == shadow);
}

TEST_MAIN()
