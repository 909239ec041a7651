#include "tests/fault/leftovers.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/base/clock.h"

namespace bpfd::fault {
namespace {

// Every id of one kind (BPF_{PROG,MAP,LINK}_GET_NEXT_ID); empty where bpf() fails.
std::set<uint32_t> Ids(int cmd) {
  std::set<uint32_t> ids;
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  while (syscall(__NR_bpf, cmd, &attr, sizeof attr) == 0) {
    ids.insert(attr.next_id);
    attr.start_id = attr.next_id;
  }
  return ids;
}

void Pins(const std::filesystem::path& dir, std::set<std::string>* out) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    out->insert(it->path().string());
  }
}

}  // namespace

std::string TracefsDir() {
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    if (access((std::string(dir) + "/uprobe_events").c_str(), F_OK) == 0) return dir;
  }
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0)
    return "/sys/kernel/tracing";
  return "";
}

KernelState Snapshot() {
  KernelState s;
  s.progs = Ids(BPF_PROG_GET_NEXT_ID);
  s.maps = Ids(BPF_MAP_GET_NEXT_ID);
  s.links = Ids(BPF_LINK_GET_NEXT_ID);
  const std::string tracefs = TracefsDir();
  if (!tracefs.empty()) {
    for (const char* file : {"kprobe_events", "uprobe_events", "dynamic_events"}) {
      std::ifstream f(tracefs + "/" + file);
      for (std::string line; std::getline(f, line);)
        s.events.insert(std::string(file) + ": " + line);
    }
  }
  Pins("/sys/fs/bpf", &s.pins);
  return s;
}

std::string LeftSince(const KernelState& before, int settle_ms) {
  const int64_t deadline = Deadline(settle_ms);
  for (;;) {
    KernelState now = Snapshot();
    std::string left;
    auto ids = [&](const char* what, const std::set<uint32_t>& was, const std::set<uint32_t>& is) {
      for (uint32_t id : is)
        if (!was.count(id)) left += std::string(what) + " id " + std::to_string(id) + "\n";
    };
    ids("prog", before.progs, now.progs);
    ids("map", before.maps, now.maps);
    ids("link", before.links, now.links);
    for (const std::string& e : now.events)
      if (!before.events.count(e)) left += e + "\n";
    for (const std::string& p : now.pins)
      if (!before.pins.count(p)) left += "pin " + p + "\n";
    if (left.empty() || NowMs() >= deadline) return left;
    timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

int CountEvents(const std::string& needle) {
  int n = 0;
  for (const std::string& e : Snapshot().events)  // dynamic_events repeats the other two
    n += e.rfind("dynamic_events", 0) != 0 && e.find(needle) != std::string::npos;
  return n;
}

int RemoveEvents(const std::string& needle) {
  const std::string tracefs = TracefsDir();
  int n = 0;
  for (const char* file : {"kprobe_events", "uprobe_events"}) {
    std::vector<std::string> names;
    {
      std::ifstream f(tracefs + "/" + file);
      for (std::string line; std::getline(f, line);) {
        size_t colon = line.find(':'), space = line.find(' ');
        if (line.find(needle) != std::string::npos && colon < space)
          names.push_back(line.substr(colon + 1, space - colon - 1));
      }
    }
    for (const std::string& name : names) {
      std::ofstream f(tracefs + "/" + file, std::ios::app);
      f << "-:" << name << "\n";
      n += static_cast<bool>(f.flush());
    }
  }
  return n;
}

void DrainTracePipe() {
  int fd = open((TracefsDir() + "/trace_pipe").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  char buf[65536];
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
}

}  // namespace bpfd::fault
