// The guest's /init (PID 1 of a qemu-system guest booted from tests/guest's initramfs):
// mounts proc, sys, devtmpfs, tracefs, debugfs, bpffs and a /tmp; loads the modules listed in
// /modules/order (finit_module); finds the virtio-serial ports named "bpfd" and "bpfd-ctl";
// then serves bpfd sessions on the "bpfd" port one after another: each session is a fresh
// `/bpfd` (daemon mode) started once the host side is connected, with stdin/stdout on the
// port, stderr on the console and no other descriptor open. A line "poweroff" on the
// "bpfd-ctl" port (or the daemon failing to start) powers the guest off.
// Everything it does is logged on the console as "init: ...".
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

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

// Loads /modules/NAME for each NAME in /modules/order (dependencies come first). 0 or -errno.
int LoadModules(std::string* error) {
  std::ifstream order("/modules/order");
  std::string name;
  while (std::getline(order, name)) {
    if (name.empty()) continue;
    std::string path = "/modules/" + name;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return *error = path + ": " + Errno(errno), -errno;
    int r = static_cast<int>(syscall(SYS_finit_module, fd, "", 0));
    int e = errno;
    close(fd);
    if (r < 0 && e != EEXIST) return *error = "finit_module " + name + ": " + Errno(e), -e;
  }
  return 0;
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

// The session child: waits for a host on the port, then becomes the daemon with only fds 0-2.
// After a session that ended with `exit`, the client that sent it is still seen connected
// until its hang-up reaches the guest; a banner written before that would go to it and be
// lost, so first wait briefly for that hang-up. It normally arrives with the `exit` line
// itself; a client already connecting next cannot be told apart and costs the full 50 ms.
[[noreturn]] void RunSession(const std::string& port, bool after_session) {
  int fd = open(port.c_str(), O_RDWR | O_NOCTTY);
  if (fd < 0) {
    Log(port + ": " + Errno(errno));
    _exit(126);
  }
  for (int waited = 0; after_session && HostConnected(fd) && waited < 50; waited += 2) SleepMs(2);
  while (!HostConnected(fd)) SleepMs(20);
  dup2(fd, 0);
  dup2(fd, 1);
  if (fd > 2) close(fd);
  execl("/bpfd", "bpfd", static_cast<char*>(nullptr));
  Log("exec /bpfd: " + Errno(errno));
  _exit(127);
}

pid_t StartSession(const std::string& port, bool after_session) {
  pid_t pid = fork();
  if (pid == 0) RunSession(port, after_session);
  if (pid < 0) Log("fork: " + Errno(errno));
  return pid;
}

// Reads the control port (non-blocking); true when it asked for a power-off.
bool PowerOffRequested(int ctl, std::string* pending) {
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
    if (pending->substr(0, nl) == "poweroff") return true;
  }
  return false;
}

void OnChild(int) {}  // only to interrupt poll/nanosleep: a session restarts at once

}  // namespace

int main() {
  struct sigaction sa = {};
  sa.sa_handler = OnChild;  // no SA_RESTART
  sigaction(SIGCHLD, &sa, nullptr);
  Mount("devtmpfs", "/dev");
  OpenConsole();
  struct { const char* fstype; const char* target; } mounts[] = {
      {"proc", "/proc"},          {"sysfs", "/sys"},
      {"tracefs", "/sys/kernel/tracing"}, {"debugfs", "/sys/kernel/debug"},
      {"bpf", "/sys/fs/bpf"},     {"tmpfs", "/tmp"},
  };
  for (const auto& m : mounts) {
    if (int r = Mount(m.fstype, m.target); r < 0) Log(std::string("mount ") + m.target + ": " + Errno(-r));
  }
  std::string error;
  if (LoadModules(&error) < 0) PowerOff("loading modules: " + error);
  std::string port = FindPort("bpfd", 10000);
  if (port.empty()) PowerOff("no virtio-serial port named bpfd");
  std::string ctl_port = FindPort("bpfd-ctl", 0);
  int ctl = ctl_port.empty() ? -1 : open(ctl_port.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  Log("serving bpfd on " + port + (ctl < 0 ? "" : ", control on " + ctl_port));

  pid_t session = StartSession(port, false);
  std::string pending;
  for (;;) {
    if (session < 0) session = StartSession(port, true);  // fork failed: try again
    if (ctl >= 0 ? PowerOffRequested(ctl, &pending) : (SleepMs(200), false)) {
      if (session > 0) kill(session, SIGTERM);
      PowerOff("asked on the control port");
    }
    int status;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {  // reap every orphan too
      if (pid != session) continue;
      if (WIFEXITED(status) && WEXITSTATUS(status) >= 126) PowerOff("the daemon cannot start");
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        Log("session ended with status " + std::to_string(status));
      }
      session = StartSession(port, true);
    }
  }
}
