// faults_bench BPFD [--repeats N] [--events N]: what issue 14's guarantees cost, each next to
// its limit measured in the same run (root, outside Bazel's sandbox; ≈ 1–2 min):
//   a. ending a session while a command blocks (FILE_READ of trace_pipe) by `exit`, SIGTERM and
//      end of input, next to ending an idle session by `exit` (the floor: process exit);
//   b. the cleanup of N uprobe events (tracefs and PMU) from `exit` to the daemon's end, next
//      to detaching the same N probes in-process with core/kernel (the kernel's own cost);
//   c. the next start after a SIGKILL mid-session with N tracefs events (the sweep), next to a
//      start with nothing to sweep;
//   d. a 1 GiB line without a newline: wall time and peak RSS, next to the same bytes piped
//      into dd (the pipe's limit);
//   e. a client that stops reading: the session's end after --write-timeout 1.
// One line per figure: min / median / max of the repeats.
#include <bpf/bpf.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "core/base/clock.h"
#include "core/kernel/attached_probe.h"
#include "tests/fault/daemon_driver.h"
#include "tests/fault/leftovers.h"

namespace bpfd::bench {
namespace {

using fault::B64;
using fault::Daemon;

struct Config {
  std::string bpfd, scratch;
  int repeats = 5, events = 50;
};

// "label: min A, median B, max C unit" of the samples.
void Row(const std::string& label, const std::vector<double>& v, const char* unit,
         const std::string& extra = "") {
  if (v.empty()) {
    std::printf("%s: no sample%s\n", label.c_str(), extra.c_str());
    return;
  }
  std::printf("%s: min %.0f, median %.0f, max %.0f %s (%zu runs)%s\n", label.c_str(),
              Percentile(v, 0), Median(v), Percentile(v, 100), unit, v.size(), extra.c_str());
}

std::vector<std::string> Args(const Config& c, std::vector<std::string> more) {
  more.insert(more.end(), {"--state-dir", c.scratch + "/state"});
  return more;
}

// Milliseconds until d ends (at most 200 s), -1 if it did not.
double EndMs(Daemon& d) {
  const int64_t t0 = NowMs();
  int status;
  return d.Wait(200000, &status) ? static_cast<double>(NowMs() - t0) : -1;
}

// a. Ending a session: `exit`, SIGTERM or EOF while FILE_READ of trace_pipe waits.
void PartA(const Config& c) {
  const std::string pipe = fault::TracefsDir() + "/trace_pipe";
  std::vector<double> floor, by[3];
  const char* ways[] = {"exit", "SIGTERM", "EOF"};
  for (int r = 0; r < c.repeats; ++r) {
    {
      Daemon d(c.bpfd, Args(c, {}), c.scratch + "/a.err");
      d.conn().Send("exit");
      floor.push_back(EndMs(d));
    }
    for (int w = 0; w < 3; ++w) {
      Daemon d(c.bpfd, Args(c, {}), c.scratch + "/a.err");
      fault::DrainTracePipe();
      d.conn().Send("FILE_READ " + B64(pipe));
      timespec ts = {0, 300 * 1000000L};
      nanosleep(&ts, nullptr);
      if (d.conn().Answered()) std::printf("a. FILE_READ of trace_pipe did not block\n");
      if (w == 0) d.conn().Send("exit");
      if (w == 1) d.Signal(SIGTERM);
      if (w == 2) d.conn().CloseInput();
      by[w].push_back(EndMs(d));
    }
  }
  Row("a. idle session, `exit` to process end (floor)", floor, "ms");
  for (int w = 0; w < 3; ++w)
    Row(std::string("a. FILE_READ trace_pipe blocking, ") + ways[w] + " to process end", by[w],
        "ms", "; bar 1000 ms");
}

// Loads r0 = 0; exit as a kprobe program in this process.
int LoadKprobeProg() {
  const bpf_insn insns[] = {{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
                            {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
  return bpf_prog_load(BPF_PROG_TYPE_KPROBE, "fb", "GPL", insns, 2, nullptr);
}

// A daemon session holding N uprobes on /bin/true made through `api`; null if that failed.
std::unique_ptr<Daemon> WithUprobes(const Config& c, const char* api) {
  auto d = std::make_unique<Daemon>(c.bpfd, Args(c, {"--probe-api", api}), c.scratch + "/b.err");
  int64_t prog = d->Call("BPF_PROG_LOAD 2 fbp 16 GPL 0 twAAAAAAAACVAAAAAAAAAA==");
  for (int i = 0; i < c.events; ++i)
    if (prog < 0 || d->Call("BPF_ATTACH_UPROBE " + std::to_string(prog) + " 0 fb" +
                            std::to_string(i) + " /bin/true 0 -1") < 0) {
      std::printf("b. the daemon could not attach uprobe %d (%s)\n", i, api);
      return nullptr;
    }
  return d;
}

// The same N uprobes attached in-process (core/kernel), then detached: ms of the detaches.
double InProcessCleanupMs(const Config& c, ProbeApi api) {
  int prog = LoadKprobeProg();
  if (prog < 0) return -1;
  std::vector<std::unique_ptr<AttachedProbe>> probes(c.events);
  ProbeOptions o;
  o.api = api;
  for (int i = 0; i < c.events; ++i)
    if (AttachUprobe(prog, false, "fbl" + std::to_string(i) + "_" + std::to_string(getpid()),
                     "/bin/true", 0, -1, &probes[i], o) < 0) {
      close(prog);
      return -1;
    }
  const int64_t t0 = NowMs();
  probes.clear();
  const double took = static_cast<double>(NowMs() - t0);
  close(prog);
  return took;
}

// b. The cleanup of N uprobe events at `exit`, next to in-process detaches.
void PartB(const Config& c) {
  const int reps = std::max(1, c.repeats / 2);
  for (auto [name, api] : {std::pair{"tracefs", ProbeApi::kTracefs}, {"pmu", ProbeApi::kPmu}}) {
    std::vector<double> ours, limit;
    for (int r = 0; r < reps; ++r) {
      if (auto d = WithUprobes(c, name)) {
        d->conn().Send("exit");
        if (double ms = EndMs(*d); ms >= 0) ours.push_back(ms);
      }
      if (double ms = InProcessCleanupMs(c, api); ms >= 0) limit.push_back(ms);
    }
    char extra[96] = "";
    if (!limit.empty() && Median(limit) > 0)
      std::snprintf(extra, sizeof extra, "; ratio to the limit %.2f, %.1f ms per event",
                    Median(ours) / Median(limit), Median(ours) / c.events);
    Row("b. " + std::to_string(c.events) + " uprobes (" + name + "): `exit` to the daemon's end",
        ours, "ms", extra);
    Row("b. limit: the same detached in-process (" + std::string(name) + ")", limit, "ms");
  }
}

// c. A daemon holding N tracefs uprobes is SIGKILLed and the next one started at once (as a
// supervisor would): its start waits for the dying one to let go, then sweeps. Next to the
// dying daemon's own end (the kernel closing its perf fds) and a start with nothing to sweep.
void PartC(const Config& c) {
  const int reps = std::max(1, c.repeats / 2);
  std::vector<double> sweep, dying, clean;
  for (int r = 0; r < reps; ++r) {
    auto dead = WithUprobes(c, "tracefs");
    if (!dead) continue;
    const std::string tag = "_bpfd_" + std::to_string(dead->pid());
    dead->Signal(SIGKILL);
    const int64_t t0 = NowMs();
    {
      Daemon next(c.bpfd, Args(c, {}), c.scratch + "/c.err");
      sweep.push_back(static_cast<double>(NowMs() - t0));
      if (int left = fault::CountEvents(tag); left != 0)
        std::printf("c. %d events left after the next start\n", left);
      if (double ms = EndMs(*dead); ms >= 0) dying.push_back(static_cast<double>(NowMs() - t0));
      next.conn().Send("exit");
      EndMs(next);
    }
    const int64_t t1 = NowMs();
    Daemon idle(c.bpfd, Args(c, {}), c.scratch + "/c.err");
    clean.push_back(static_cast<double>(NowMs() - t1));
    idle.conn().Send("exit");
    EndMs(idle);
  }
  const std::string n = std::to_string(c.events);
  Row("c. SIGKILL with " + n + " tracefs uprobes, next start at once: to its banner", sweep, "ms");
  Row("c. the killed daemon's end after its SIGKILL (the kernel's fd teardown)", dying, "ms");
  Row("c. start to banner with nothing to sweep", clean, "ms");
}

// Writes 1 GiB of 'A' (no newline) to d, then closes its input: ms to d's end; *peak_kb gets
// its VmHWM just before the close.
double BigLineMs(Daemon& d, long* peak_kb) {
  const std::string chunk(1 << 20, 'A');
  const int64_t t0 = NowMs();
  for (int i = 0; i < 1024; ++i)
    if (d.conn().Write(chunk, 30000) < 0) return -1;
  *peak_kb = static_cast<long>(d.PeakRssKb());
  d.conn().CloseInput();
  int status;
  if (!d.Wait(60000, &status)) return -1;
  return static_cast<double>(NowMs() - t0);
}

// d. A 1 GiB line, next to the same bytes through a pipe into dd.
void PartD(const Config& c) {
  std::vector<double> ours, limit, peak;
  for (int r = 0; r < std::max(1, c.repeats / 2); ++r) {
    long kb = -1;
    {
      Daemon d(c.bpfd, Args(c, {}), c.scratch + "/d.err");
      if (double ms = BigLineMs(d, &kb); ms >= 0) ours.push_back(ms);
      if (kb > 0) peak.push_back(static_cast<double>(kb) / 1024);
    }
    Daemon dd("/bin/dd", {"of=/dev/null", "bs=1M", "status=none"}, c.scratch + "/d.err", false);
    if (double ms = BigLineMs(dd, &kb); ms >= 0) limit.push_back(ms);
  }
  char extra[64] = "";
  if (!limit.empty() && Median(limit) > 0)
    std::snprintf(extra, sizeof extra, "; ratio to the limit %.2f", Median(ours) / Median(limit));
  Row("d. 1 GiB line then EOF: first byte to the daemon's end", ours, "ms", extra);
  Row("d. limit: the same bytes piped into dd", limit, "ms");
  Row("d. the daemon's peak RSS during the 1 GiB line", peak, "MiB");
}

// e. A client that stops reading (FILE_READ of /proc/kallsyms, unread): the end after the
// write deadline (--write-timeout 1), from the last line the daemon took.
void PartE(const Config& c) {
  std::vector<double> end;
  const std::string line = "FILE_READ " + B64("/proc/kallsyms");
  for (int r = 0; r < c.repeats; ++r) {
    Daemon d(c.bpfd, Args(c, {"--write-timeout", "1"}), c.scratch + "/e.err");
    for (int i = 0; i < 64 && d.conn().Send(line, 1000) == 0; ++i) {
    }
    if (double ms = EndMs(d); ms >= 0) end.push_back(ms);
  }
  Row("e. a client that stops reading: last line taken to the end (--write-timeout 1)", end, "ms",
      "; bar 1000 ms + 1 s");
}

}  // namespace
}  // namespace bpfd::bench

int main(int argc, char** argv) {
  using namespace bpfd::bench;
  Config c;
  if (argc < 2) {
    std::fprintf(stderr, "usage: faults_bench BPFD [--repeats N] [--events N]\n");
    return 2;
  }
  char* real = realpath(argv[1], nullptr);
  c.bpfd = real ? real : argv[1];
  free(real);
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--repeats") == 0) c.repeats = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--events") == 0) c.events = std::max(1, std::atoi(argv[i + 1]));
  }
  if (geteuid() != 0) {
    std::fprintf(stderr, "faults_bench: needs root (bpf(), tracefs)\n");
    return 1;
  }
  char dir[] = "/tmp/faults_bench.XXXXXX";
  if (!mkdtemp(dir)) return 1;
  c.scratch = dir;
  utsname u{};
  uname(&u);
  std::printf("faults_bench: %s; %ld cpus, %s %s; %d repeats, %d events\n", c.bpfd.c_str(),
              sysconf(_SC_NPROCESSORS_ONLN), u.release, u.machine, c.repeats, c.events);
  const bpfd::fault::KernelState before = bpfd::fault::Snapshot();
  PartA(c);
  PartB(c);
  PartC(c);
  PartD(c);
  PartE(c);
  std::string left = bpfd::fault::LeftSince(before);
  std::printf("left behind: %s\n", left.empty() ? "nothing" : left.c_str());
  std::string rm = "rm -rf '" + c.scratch + "'";
  (void)!system(rm.c_str());
  return left.empty() ? 0 : 1;
}
