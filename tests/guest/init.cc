// The guest's /init (PID 1 of a qemu-system guest booted from tests/guest's initramfs):
// mounts proc, sys, devtmpfs, tracefs, debugfs, bpffs and a /tmp; loads the modules listed in
// /modules/order (finit_module); finds the virtio-serial ports named "bpfd", "bpfd-tracefs"
// (optional) and "bpfd-ctl"; then serves bpfd sessions on each session port one after another:
// each session is a fresh `/bpfd` (daemon mode) started once the host side is connected, with
// stdin/stdout on the port, stderr on the console and no other descriptor open. On
// "bpfd-tracefs" the daemon runs with BPFD_PROBE_API=tracefs (kprobes and uprobes through
// kprobe_events/uprobe_events even though the kernel has the PMUs).
// Lines on the "bpfd-ctl" port: "poweroff" (the daemon failing to start does it too);
// "getpid RATE MS" calls getpid() for MS milliseconds, RATE calls per second (0: flat out), in
// PID 1 (the load of bench/guest_perf.sh), then answers "getpid CALLS NS"; "exec RATE MS"
// starts a process that, for MS milliseconds, RATE times per second clones a child that opens
// and reads /init and execs `/bpfd --version` (exec, open and read activity for execsnoop,
// opensnoop, filetop), and answers "exec PID" at once; "disk RATE MS" likewise does direct
// 4 KiB writes and reads of /dev/vda (biosnoop, biotop, biolatency), answering "disk PID";
// "misc RATE MS" everyday activity (files, sync, signals, mounts, shm, loopback TCP, sleeps:
// MiscRound) for tools/compat, answering "misc PID"; "module load|unload NAME" loads or
// removes /modules/NAME.ko, answering "module ok" or the error; "vsock
// PORT" and "faults" run the listener's authentication and the fault-injection suite inside the
// guest (see below). Every pass of the main loop (about 5 per second) calls bpfd_guest_tick(): a
// uprobe target (the init is installed unstripped for it). Everything is logged on the console as
// "init: ...".
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fault/fault_cases.h"

namespace {

void Log(const std::string& msg) {
  std::fprintf(stderr, "init: %s\n", msg.c_str());
  std::fflush(stderr);
}

std::string Errno(int e) { return std::strerror(e); }

void SleepMs(int ms) {
  timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

[[noreturn]] void PowerOff(const std::string& why) {
  Log("powering off: " + why);
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

// 0 or -errno; an already mounted target is success.
int Mount(const char* fstype, const char* target) {
  mkdir(target, 0755);
  if (mount(fstype, target, fstype, 0, nullptr) == 0 || errno == EBUSY) return 0;
  return -errno;
}

// Stdio on the kernel console (devtmpfs provides it; the initramfs has no /dev/console).
void OpenConsole() {
  int fd = open("/dev/console", O_RDWR | O_NOCTTY);
  if (fd < 0) return;
  for (int i = 0; i < 3; ++i) dup2(fd, i);
  if (fd > 2) close(fd);
}

// Loads /modules/NAME (NAME.ko). 0 (also when loaded already) or -errno.
int LoadModule(const std::string& name, std::string* error) {
  std::string path = "/modules/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return *error = path + ": " + Errno(errno), -errno;
  int r = static_cast<int>(syscall(SYS_finit_module, fd, "", 0));
  int e = errno;
  close(fd);
  if (r < 0 && e != EEXIST) return *error = "finit_module " + name + ": " + Errno(e), -e;
  return 0;
}

// Loads each module in /modules/order (dependencies come first). 0 or -errno.
int LoadModules(std::string* error) {
  std::ifstream order("/modules/order");
  std::string name;
  while (std::getline(order, name))
    if (int r = name.empty() ? 0 : LoadModule(name, error); r < 0) return r;
  return 0;
}

// "module load NAME" / "module unload NAME" (NAME without .ko): kallsyms and /sys/kernel/btf
// change as on a device loading a driver (tests/guest/remote_cache_guest_test.sh).
std::string ModuleControl(const std::string& args) {
  std::string error;
  if (args.rfind("load ", 0) == 0)
    return LoadModule(args.substr(5) + ".ko", &error) == 0 ? "module ok" : "module " + error;
  if (args.rfind("unload ", 0) == 0)
    return syscall(SYS_delete_module, args.substr(7).c_str(), O_NONBLOCK) == 0
               ? "module ok"
               : "module delete_module: " + Errno(errno);
  return "module: load NAME | unload NAME";
}

// The /dev path of the virtio-serial port named `name` (qemu's virtserialport name=), waiting
// up to timeout_ms for it to appear. Empty when there is none.
std::string FindPort(const std::string& name, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    if (DIR* d = opendir("/sys/class/virtio-ports")) {
      while (dirent* e = readdir(d)) {
        std::ifstream f(std::string("/sys/class/virtio-ports/") + e->d_name + "/name");
        std::string n;
        std::string dev = std::string("/dev/") + e->d_name;
        if (std::getline(f, n) && n == name && access(dev.c_str(), F_OK) == 0) {
          closedir(d);
          return dev;
        }
      }
      closedir(d);
    }
    SleepMs(50);
  }
  return "";
}

// True when a host is connected to the port behind fd (virtio_console reports POLLHUP while
// none is).
bool HostConnected(int fd) {
  pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

struct SessionPort {
  const char* name;
  const char* probe_api;  // BPFD_PROBE_API of its daemons; nullptr: unset (auto)
  std::string dev;        // "" when the guest has no such port
  pid_t session = -1;
};

// The session child: waits for a host on the port, then becomes the daemon with only fds 0-2.
// After a session that ended with `exit`, the client that sent it is still seen connected
// until its hang-up reaches the guest; a banner written before that would go to it and be
// lost, so first wait briefly for that hang-up. It normally arrives with the `exit` line
// itself; a client already connecting next cannot be told apart and costs the full 50 ms.
[[noreturn]] void RunSession(const SessionPort& port, bool after_session) {
  int fd = open(port.dev.c_str(), O_RDWR | O_NOCTTY);
  if (fd < 0) {
    Log(port.dev + ": " + Errno(errno));
    _exit(126);
  }
  for (int waited = 0; after_session && HostConnected(fd) && waited < 50; waited += 2) SleepMs(2);
  while (!HostConnected(fd)) SleepMs(20);
  dup2(fd, 0);
  dup2(fd, 1);
  if (fd > 2) close(fd);
  if (port.probe_api) setenv("BPFD_PROBE_API", port.probe_api, 1);
  execl("/bpfd", "bpfd", static_cast<char*>(nullptr));
  Log("exec /bpfd: " + Errno(errno));
  _exit(127);
}

void StartSession(SessionPort* port, bool after_session) {
  pid_t pid = fork();
  if (pid == 0) RunSession(*port, after_session);
  if (pid < 0) Log("fork: " + Errno(errno));
  port->session = pid;
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// "getpid RATE MS": getpid() for ms milliseconds, rate calls per second (0: flat out; the clock
// is read at least every 256 calls). Returns "getpid CALLS NS".
std::string GetpidLoad(const std::string& args) {
  unsigned long rate = 0, ms = 0;
  if (std::sscanf(args.c_str(), "%lu %lu", &rate, &ms) != 2 || ms > 60000) return "getpid -22 0";
  const int64_t t0 = NowNs(), end = t0 + static_cast<int64_t>(ms) * 1000000;
  uint64_t n = 0;
  for (int64_t now = t0; now < end; now = NowNs()) {
    uint64_t target =
        rate ? static_cast<uint64_t>((now - t0) / 1e9 * static_cast<double>(rate)) : n + 256;
    target = std::min(target, n + 256);  // a guest slower than the rate: still look at the clock
    if (n >= target) {                   // paced and ahead: let the daemon run
      timespec ts = {0, 50000};
      nanosleep(&ts, nullptr);
    }
    for (; n < target; ++n) syscall(SYS_getpid);
  }
  return "getpid " + std::to_string(n) + " " + std::to_string(NowNs() - t0);
}

// A child of PID 1 (reaped by the main loop) that for ms milliseconds calls one_round rate
// times per second. Returns its pid or -errno, without waiting; -EINVAL for a rate outside
// 1..1000 or more than 60 s.
template <typename Round>
pid_t PacedLoad(unsigned long rate, unsigned long ms, Round one_round) {
  if (rate == 0 || rate > 1000 || ms > 60000) return -EINVAL;
  pid_t loader = fork();
  if (loader != 0) return loader < 0 ? -errno : loader;
  signal(SIGCHLD, SIG_DFL);  // PID 1's handler (no SA_RESTART) would interrupt waitpid
  const int64_t t0 = NowNs(), end = t0 + static_cast<int64_t>(ms) * 1000000;
  for (uint64_t n = 0; NowNs() < end; ++n) {
    one_round(n);
    int64_t next = t0 + static_cast<int64_t>((n + 1) * 1000000000 / rate), now = NowNs();
    if (next > now) {
      timespec ts = {static_cast<time_t>((next - now) / 1000000000),
                     static_cast<long>((next - now) % 1000000000)};
      nanosleep(&ts, nullptr);
    }
  }
  _exit(0);
}

// "exec RATE MS": for MS milliseconds, RATE times per second, a child that opens /init, reads
// 4 KiB of it (a regular file's vfs_read, for filetop) and execs `/bpfd --version` with its
// output discarded. Answers "exec PID" (or -errno) at once.
std::string ExecLoad(const std::string& args) {
  unsigned long rate = 0, ms = 0;
  if (std::sscanf(args.c_str(), "%lu %lu", &rate, &ms) != 2) return "exec -22";
  return "exec " + std::to_string(PacedLoad(rate, ms, [](uint64_t) {
           // The raw clone syscall, not fork(): musl forks with SYS_fork where the arch has
           // one (x86_64), and the BCC tutorial's hello_fields probes clone.
           pid_t child = static_cast<pid_t>(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
           if (child == 0) {
             if (int fd = open("/init", O_RDONLY | O_CLOEXEC); fd >= 0) {
               char block[4096];
               if (read(fd, block, sizeof block) < 0) _exit(126);
               close(fd);
             }
             if (int null = open("/dev/null", O_WRONLY); null >= 0) dup2(null, 1);
             execl("/bpfd", "bpfd", "--version", static_cast<char*>(nullptr));
             _exit(127);
           } else if (child > 0) {
             waitpid(child, nullptr, 0);
           }
         }));
}

// "disk RATE MS": for MS milliseconds, RATE times per second, a 4 KiB O_DIRECT write and read
// back at a rotating offset of /dev/vda (run_guest.sh's scratch disk): block I/O for
// biolatency. Answers "disk PID" (or -errno: -ENOENT without the disk) at once.
std::string DiskLoad(const std::string& args) {
  unsigned long rate = 0, ms = 0;
  if (std::sscanf(args.c_str(), "%lu %lu", &rate, &ms) != 2) return "disk -22";
  int fd = open("/dev/vda", O_RDWR | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return "disk " + std::to_string(-errno);
  pid_t pid = PacedLoad(rate, ms, [fd](uint64_t n) {
    static void* block = aligned_alloc(4096, 4096);
    if (!block) _exit(1);
    std::memset(block, static_cast<int>(n), 4096);
    const off_t at = static_cast<off_t>(n % 1024) * 4096;  // the first 4 MiB
    if (pwrite(fd, block, 4096, at) != 4096 || pread(fd, block, 4096, at) != 4096) _exit(1);
  });
  close(fd);
  return "disk " + std::to_string(pid);
}

// Brings the loopback interface up (the kernel leaves it down): 0 or -errno.
int LoopbackUp() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  ifreq ifr = {};
  std::strcpy(ifr.ifr_name, "lo");
  int r = ioctl(s, SIOCGIFFLAGS, &ifr);
  if (r == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    r = ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  r = r == 0 ? 0 : -errno;
  close(s);
  return r;
}

// One round of everyday activity for the tools of tools/compat: stat, a file created, renamed
// and removed, sync, a child killed by a signal, a tmpfs mounted and unmounted, a SysV shm
// segment, a TCP listen/connect/accept on loopback and a short sleep.
void MiscRound(uint64_t n) {
  struct stat st;
  stat("/init", &st);
  std::string f = "/tmp/misc." + std::to_string(n % 4);
  if (int fd = open(f.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600); fd >= 0) {
    if (write(fd, "x", 1) < 0) _exit(1);
    close(fd);
  }
  rename(f.c_str(), (f + ".old").c_str());
  unlink((f + ".old").c_str());
  sync();
  if (pid_t child = fork(); child == 0) {
    pause();
    _exit(0);
  } else if (child > 0) {
    kill(child, SIGTERM);
    waitpid(child, nullptr, 0);
  }
  mkdir("/tmp/mnt", 0755);
  if (mount("misc", "/tmp/mnt", "tmpfs", 0, "size=64k") == 0) umount("/tmp/mnt");
  if (int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); id >= 0) shmctl(id, IPC_RMID, nullptr);
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
      c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (l >= 0 && c >= 0 && bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      listen(l, 1) == 0 && getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) == 0 &&
      connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    int s = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    if (s >= 0 && write(c, "ping", 4) == 4) {
      char buf[4];
      if (read(s, buf, sizeof buf) < 0) _exit(1);
    }
    if (s >= 0) close(s);
  }
  if (c >= 0) close(c);
  if (l >= 0) close(l);
  timespec ts = {0, 1000000};
  nanosleep(&ts, nullptr);
}

// "misc RATE MS": MiscRound RATE times per second for MS milliseconds. Answers "misc PID".
std::string MiscLoad(const std::string& args) {
  unsigned long rate = 0, ms = 0;
  if (std::sscanf(args.c_str(), "%lu %lu", &rate, &ms) != 2) return "misc -22";
  if (int r = LoopbackUp(); r < 0) Log("loopback up: " + Errno(-r));
  return "misc " + std::to_string(PacedLoad(rate, ms, MiscRound));
}

// Runs argv with stdin from `input` and stdout+stderr into /tmp/run.out; waits up to 20 s.
// Returns the exit status (-1: it did not end or could not start); *out gets its output.
int Run(const std::vector<const char*>& argv, const std::string& input, std::string* out) {
  std::ofstream("/tmp/run.in") << input;
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/tmp/run.in", O_RDONLY),
        o = open("/tmp/run.out", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0), dup2(o, 1), dup2(o, 2);
    unsetenv("BPFD_TOKEN_FILE");
    execv(argv[0], const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  int status = 0;
  for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited += 20) {
    if (waited > 20000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    SleepMs(20);
  }
  std::ifstream f("/tmp/run.out");
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// "vsock PORT": the listener's authentication over a real vsock (loopback, cid 1; the host
// kernel has no vsock loopback and no vhost-vsock): `--listen vsock:PORT` without a token
// must exit 2; with one, a client without a token and one with a wrong token are refused and
// one with the right token gets a session. Answers "vsock" and a word per case (ok/FAIL:…),
// or "vsock skip <why>" when the guest has no vsock loopback.
std::string VsockAuth(const std::string& args) {
  const std::string port = args, spec = "vsock:" + port, peer = "vsock:1:" + port;
  std::string out, reply = "vsock";
  auto word = [&](bool ok, const std::string& what) { reply += ok ? " ok" : " FAIL:" + what; };
  int rc = Run({"/bpfd", "--listen", spec.c_str(), nullptr}, "", &out);
  word(rc == 2 && out.find("vsock needs --token-file") != std::string::npos, "no-token-start");
  umask(077);
  std::ofstream("/tmp/vsock.token") << "guest-vsock-token-0123456789abcdef\n";
  std::ofstream("/tmp/vsock.bad") << "guest-vsock-wrong-0123456789abcdef\n";
  int pipefd[2];
  if (pipe(pipefd) < 0) return "vsock skip pipe";
  pid_t listener = fork();
  if (listener == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    execl("/bpfd", "bpfd", "--listen", spec.c_str(), "--token-file", "/tmp/vsock.token",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  pollfd p = {pipefd[0], POLLIN, 0};
  char buf[128] = {};
  int ready = 0;
  for (int tries = 0; tries < 50 && (ready = poll(&p, 1, 100)) <= 0; ++tries) {
  }
  bool up = ready > 0 && read(pipefd[0], buf, sizeof(buf) - 1) > 0 &&
            std::string(buf).rfind("LISTENING vsock:", 0) == 0;
  close(pipefd[0]);
  if (!up) {
    kill(listener, SIGKILL);
    waitpid(listener, nullptr, 0);
    return "vsock skip no vsock listener here";
  }
  rc = Run({"/bpfd", "connect", peer.c_str(), nullptr}, "exit\n", &out);
  if (out.find("No such device") != std::string::npos ||
      out.find("Address family not supported") != std::string::npos) {
    reply = "vsock skip no vsock loopback: " + out.substr(0, out.find('\n'));
  } else {
    word(rc == 1 && out.find("asks for its token") != std::string::npos, "no-token-client");
    rc = Run({"/bpfd", "connect", "--token-file", "/tmp/vsock.bad", peer.c_str(), nullptr},
             "exit\n", &out);
    word(rc == 1 && out.find("refused the connection: wrong token") != std::string::npos,
         "wrong-token");
    rc = Run({"/bpfd", "connect", "--token-file", "/tmp/vsock.token", peer.c_str(), nullptr},
             "exit\n", &out);
    word(rc == 0 && out.find("STARTED_BPFD") != std::string::npos, "right-token");
  }
  kill(listener, SIGTERM);
  waitpid(listener, nullptr, 0);
  umask(022);
  return reply;
}

// "faults": the fault-injection suite (tests/fault) against /bpfd on this kernel, with uprobes
// in /init, a 256 MiB over-long line (the guest has 512 MiB) and 1 s more for each timing bar
// (the guest is emulated). Answers "faults" and "<case>=<pass|FAIL|skip>" per case; each
// case's details (failures, figures) go to the console.
std::string Faults() {
  bpfd::fault::FaultEnv env;
  env.bpfd = "/bpfd";
  env.uprobe_target = "/init";
  env.scratch = "/tmp/faults";
  env.big_line = 256u << 20;
  env.slack_ms = 1000;
  mkdir(env.scratch.c_str(), 0700);
  std::string reply = "faults";
  for (const std::string& name : bpfd::fault::CaseNames()) {
    bpfd::fault::CaseResult r = bpfd::fault::RunCase(env, name);
    const char* word = r.outcome == bpfd::fault::Outcome::kPass   ? "pass"
                       : r.outcome == bpfd::fault::Outcome::kSkip ? "skip"
                                                                  : "FAIL";
    Log("fault " + name + ": " + word + (r.detail.empty() ? "" : ": " + r.detail));
    reply += " " + name + "=" + word;
  }
  return reply;
}

// Writes a reply line to the (non-blocking) control port.
void Reply(int ctl, const std::string& line) {
  std::string reply = line + "\n";
  for (size_t off = 0; off < reply.size();) {
    ssize_t w = write(ctl, reply.data() + off, reply.size() - off);
    if (w > 0)
      off += static_cast<size_t>(w);
    else if (w < 0 && errno != EAGAIN && errno != EINTR)
      break;
    else
      SleepMs(1);
  }
}

// Reads the control port (non-blocking) and runs its complete lines; true when one asked for
// a power-off.
bool RunControl(int ctl, std::string* pending) {
  pollfd p = {ctl, POLLIN, 0};
  if (poll(&p, 1, 200) <= 0) return false;
  // No host on the control port: virtio_console then reports POLLIN too (a read would not
  // block: it returns 0 at once), so POLLHUP must be tested first or this loop spins.
  if ((p.revents & POLLHUP) || !(p.revents & POLLIN)) {
    SleepMs(200);
    return false;
  }
  char buf[256];
  ssize_t n = read(ctl, buf, sizeof(buf));
  if (n > 0) pending->append(buf, static_cast<size_t>(n));
  for (size_t nl; (nl = pending->find('\n')) != std::string::npos; pending->erase(0, nl + 1)) {
    std::string line = pending->substr(0, nl);
    if (line == "poweroff") return true;
    if (line.rfind("getpid ", 0) == 0) Reply(ctl, GetpidLoad(line.substr(7)));
    if (line.rfind("exec ", 0) == 0) Reply(ctl, ExecLoad(line.substr(5)));
    if (line.rfind("disk ", 0) == 0) Reply(ctl, DiskLoad(line.substr(5)));
    if (line.rfind("misc ", 0) == 0) Reply(ctl, MiscLoad(line.substr(5)));
    if (line.rfind("vsock ", 0) == 0) Reply(ctl, VsockAuth(line.substr(6)));
    if (line == "faults") Reply(ctl, Faults());
    if (line.rfind("module ", 0) == 0) Reply(ctl, ModuleControl(line.substr(7)));
  }
  return false;
}

void OnChild(int) {}  // only to interrupt poll/nanosleep: a session restarts at once

}  // namespace

// The uprobe target of tests/guest (an explicit BPF_ATTACH_UPROBE on /init): called on every
// pass of the main loop; extern "C" and not inlined so the symbol table names it.
volatile unsigned long bpfd_guest_ticks;
extern "C" __attribute__((noinline, used)) void bpfd_guest_tick() {
  bpfd_guest_ticks = bpfd_guest_ticks + 1;
}

int main() {
  struct sigaction sa = {};
  sa.sa_handler = OnChild;  // no SA_RESTART
  sigaction(SIGCHLD, &sa, nullptr);
  Mount("devtmpfs", "/dev");
  OpenConsole();
  struct {
    const char* fstype;
    const char* target;
  } mounts[] = {
      {"proc", "/proc"},
      {"sysfs", "/sys"},
      {"tracefs", "/sys/kernel/tracing"},
      {"debugfs", "/sys/kernel/debug"},
      {"bpf", "/sys/fs/bpf"},
      {"tmpfs", "/tmp"},
  };
  for (const auto& m : mounts) {
    if (int r = Mount(m.fstype, m.target); r < 0)
      Log(std::string("mount ") + m.target + ": " + Errno(-r));
  }
  std::string error;
  if (LoadModules(&error) < 0) PowerOff("loading modules: " + error);
  SessionPort ports[] = {{"bpfd", nullptr, FindPort("bpfd", 10000)},
                         {"bpfd-tracefs", "tracefs", FindPort("bpfd-tracefs", 0)}};
  if (ports[0].dev.empty()) PowerOff("no virtio-serial port named bpfd");
  std::string ctl_port = FindPort("bpfd-ctl", 0);
  int ctl =
      ctl_port.empty() ? -1 : open(ctl_port.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  std::string serving;
  for (auto& p : ports) {
    if (p.dev.empty()) continue;
    serving += (serving.empty() ? "" : ", ") + std::string(p.name) + " on " + p.dev;
    StartSession(&p, false);
  }
  Log("serving " + serving + (ctl < 0 ? "" : "; control on " + ctl_port));

  std::string pending;
  for (;;) {
    bpfd_guest_tick();
    for (auto& p : ports) {
      if (!p.dev.empty() && p.session < 0) StartSession(&p, true);  // fork failed: try again
    }
    if (ctl >= 0 ? RunControl(ctl, &pending) : (SleepMs(200), false)) {
      for (auto& p : ports) {
        if (p.session > 0) kill(p.session, SIGTERM);
      }
      PowerOff("asked on the control port");
    }
    int status;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {  // reap every orphan too
      for (auto& p : ports) {
        if (pid != p.session) continue;
        if (WIFEXITED(status) && WEXITSTATUS(status) >= 126) PowerOff("the daemon cannot start");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
          Log(std::string(p.name) + " session ended with status " + std::to_string(status));
        }
        StartSession(&p, true);
      }
    }
  }
}
