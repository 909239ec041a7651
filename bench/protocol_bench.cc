// protocol_bench BPFD_BINARY [--quick] [--paced-rate N] [--remote SPEC [--guest-load CTL]]: the
// daemon's protocol costs next to in-process libbpf "limits" measured in the same run: startup/RSS,
// lookup round trip, whole-map dumps, perf samples (perf_bench.cc). With --remote, the same
// through a transport (a new session per connect); with --guest-load (a tests/guest guest),
// only the perf samples, emitted by a load inside the guest. One line per figure; bounded time
// (~20 s, --quick ~10 s).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "core/base/unique_fd.h"
#include "core/client/protocol_client.h"
#include "core/client/transport.h"

namespace bpfd::bench {
namespace {

constexpr int kStartupSpawns = 20;
constexpr uint32_t kKeySize = 8;
constexpr uint32_t kValueSize = 40;

std::string FirstLineOf(const char* path, const char* prefix) {
  FILE* f = std::fopen(path, "re");
  if (!f) return "?";
  char line[512];
  std::string out = "?";
  while (std::fgets(line, sizeof(line), f)) {
    if (std::strncmp(line, prefix, std::strlen(prefix)) == 0) {
      const char* colon = std::strchr(line, ':');
      out = colon ? colon + 2 : line;
      while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
      break;
    }
  }
  std::fclose(f);
  return out;
}

void PrintHeader(const Options& o) {
  utsname u{};
  uname(&u);
  char date[64] = "?";
  time_t now = time(nullptr);
  tm t{};
  if (gmtime_r(&now, &t)) std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &t);
  std::string memtotal = FirstLineOf("/proc/meminfo", "MemTotal");
  std::printf("protocol_bench %s: %s%s\n", date, o.bpfd.c_str(), o.quick ? " (--quick)" : "");
  std::printf("machine: %ld cpus online (%d possible), %s, MemTotal %s, %s %s %s\n",
              sysconf(_SC_NPROCESSORS_ONLN), libbpf_num_possible_cpus(),
              FirstLineOf("/proc/cpuinfo", "model name").c_str(), memtotal.c_str(), u.sysname,
              u.release, u.machine);
}

// A. Startup to banner (median of 20 spawns) next to the same binary's `--version` running to
// its exit (the exec + process floor).
// Starts or connects the session the options name (a child on pipes, or --remote SPEC).
int Open(const Options& o, int stderr_fd, ProtocolClient* c) {
  if (o.remote.empty()) {
    SpawnOptions so;
    so.stderr_fd = stderr_fd;
    int r = c->Spawn({o.bpfd}, so);
    return r == 0 ? c->WaitBanner(10000) : r;
  }
  RemoteSpec rs;
  std::string error;
  ConnectOptions co;
  co.stderr_fd = stderr_fd;
  int r = ParseRemoteSpec(o.remote, &rs, &error);
  if (r == 0) r = ConnectRemote(rs, co, c, &error);
  if (r < 0) std::fprintf(stderr, "protocol_bench: %s: %s\n", o.remote.c_str(), error.c_str());
  return r;
}

int BenchStartup(const Options& o, int stderr_fd) {
  std::vector<double> startup, floor;
  SpawnOptions so;
  so.stderr_fd = stderr_fd;
  for (int i = 0; i < kStartupSpawns; ++i) {
    ProtocolClient c;
    int64_t t0 = NowNs();
    int r = Open(o, stderr_fd, &c);
    int64_t t1 = NowNs();
    if (r < 0) {
      std::fprintf(stderr, "protocol_bench: daemon startup: %s\n", std::strerror(-r));
      return r;
    }
    startup.push_back(static_cast<double>(t1 - t0) / 1e6);
    int st = c.Close(10000);
    if (st != 0) std::fprintf(stderr, "protocol_bench: daemon exit status %d\n", st);
  }
  for (int i = 0; i < kStartupSpawns; ++i) {
    ProtocolClient c;
    int64_t t0 = NowNs();
    int r = c.Spawn({o.bpfd, "--version"}, so);
    if (r == 0) r = c.WaitBanner(10000);  // no banner: ends when its stdout closes
    int64_t t1 = NowNs();
    c.Close(10000);
    if (r != -ECONNRESET) break;
    floor.push_back(static_cast<double>(t1 - t0) / 1e6);
  }
  double med = Median(startup), fl = Median(floor);
  std::printf(
      "a. %s to STARTED_BPFD: median %.2f ms (min %.2f, max %.2f; %d spawns); "
      "floor (same binary --version to exit) %.2f ms; ratio %.2fx\n",
      o.remote.empty() ? "startup" : "connect (new session)", med, Percentile(startup, 0),
      Percentile(startup, 100), kStartupSpawns, fl, fl > 0 ? med / fl : 0.0);
  return 0;
}

// B. BPF_LOOKUP_ELEM round trips on a protocol-created hash map vs bpf_map_lookup_elem, and
// the machine's floor for any pipe protocol: a 1-byte ping-pong between two processes.

// Creates a hash map 8/40 with one entry through the protocol; *line is the lookup command
// and *want its expected reply. 0 or -errno.
int SetUpLookup(ProtocolClient& c, const std::string& name, const uint8_t* value, uint64_t key,
                std::string* line, std::string* want) {
  int64_t fd = CallRet(c, "BPF_CREATE_MAP 1 " + name + " 8 40 1024 0");
  if (fd < 0) return static_cast<int>(fd);
  const std::string kb = B64(&key, sizeof(key));
  *want = B64(value, kValueSize);
  int64_t r =
      CallRet(c, "BPF_UPDATE_ELEM " + std::to_string(fd) + " " + kb + " 8 " + *want + " 40 0");
  if (r < 0) return static_cast<int>(r);
  *line = "BPF_LOOKUP_ELEM " + std::to_string(fd) + " " + kb + " 8 40";
  return 0;
}

// Round-trip times in microseconds of `calls` lookups (after 1000 warm-up calls).
int TimeLookups(ProtocolClient& c, const std::string& line, const std::string& want, int calls,
                std::vector<double>* us, int* bad) {
  std::vector<std::string> reply;
  us->reserve(static_cast<size_t>(calls));
  for (int i = 0; i < calls + 1000; ++i) {
    int64_t t0 = NowNs();
    int cr = c.Call(line, &reply, kCallTimeoutMs);
    int64_t t1 = NowNs();
    if (cr < 0) return cr;
    if (reply.size() != 1 || reply[0] != want) ++*bad;
    if (i >= 1000) us->push_back(static_cast<double>(t1 - t0) / 1e3);
  }
  return 0;
}

// Median microseconds of a 1-byte write/poll/read ping-pong with a forked echo process.
double PipeFloorUs(int calls) {
  int a[2], b[2];
  if (pipe2(a, O_CLOEXEC) < 0) return 0;
  if (pipe2(b, O_CLOEXEC) < 0) return close(a[0]), close(a[1]), 0;
  pid_t pid = fork();
  if (pid == 0) {  // echo until the parent closes its end
    close(a[1]);
    close(b[0]);
    char ch;
    while (read(a[0], &ch, 1) == 1 && write(b[1], &ch, 1) == 1) {
    }
    _exit(0);
  }
  std::vector<double> us;
  char ch = 'x';
  for (int i = 0; pid > 0 && i < calls + 1000; ++i) {
    int64_t t0 = NowNs();
    pollfd p = {b[0], POLLIN, 0};
    if (write(a[1], &ch, 1) != 1 || poll(&p, 1, 1000) != 1 || read(b[0], &ch, 1) != 1) break;
    if (i >= 1000) us.push_back(static_cast<double>(NowNs() - t0) / 1e3);
  }
  for (int fd : {a[0], a[1], b[0], b[1]}) close(fd);
  if (pid > 0) waitpid(pid, nullptr, 0);
  return us.empty() ? 0 : Median(us);
}

int BenchLookup(ProtocolClient& c, const Options& o) {
  const int calls = o.quick ? 20000 : 50000;
  uint64_t key = 0x1122334455667788ull;
  uint8_t value[kValueSize];
  for (uint32_t i = 0; i < kValueSize; ++i) value[i] = static_cast<uint8_t>(i * 7 + 1);
  std::string line, want;
  int bad = 0;
  std::vector<double> us, pinned;
  int r = SetUpLookup(c, "pb" + std::to_string(getpid()) + "_l", value, key, &line, &want);
  if (r == 0) r = TimeLookups(c, line, want, calls, &us, &bad);
  if (r < 0) {
    std::fprintf(stderr, "protocol_bench: lookup: %s\n", std::strerror(-r));
    return r;
  }

  // The same with client and daemon pinned to one CPU: no cross-CPU wake-ups.
  cpu_set_t all, one;
  sched_getaffinity(0, sizeof(all), &all);
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (o.remote.empty() && sched_setaffinity(0, sizeof(one), &one) == 0) {
    ProtocolClient pc;
    r = pc.Spawn({o.bpfd});
    if (r == 0) r = pc.WaitBanner(10000);
    if (r == 0)
      r = SetUpLookup(pc, "pb" + std::to_string(getpid()) + "_p", value, key, &line, &want);
    if (r == 0) r = TimeLookups(pc, line, want, calls, &pinned, &bad);
    pc.Close(10000);
    sched_setaffinity(0, sizeof(all), &all);
    if (r < 0) std::fprintf(stderr, "protocol_bench: pinned lookup: %s\n", std::strerror(-r));
  }
  double floor = PipeFloorUs(calls);

  // The limit: an identical map in this process.
  UniqueFd lfd(
      bpf_map_create(BPF_MAP_TYPE_HASH, "pb_limit_l", kKeySize, kValueSize, 1024, nullptr));
  if (!lfd) return -errno;
  if (bpf_map_update_elem(lfd.get(), &key, value, 0) < 0) return -errno;
  std::vector<double> lim;
  lim.reserve(static_cast<size_t>(calls));
  uint8_t out[kValueSize];
  for (int i = 0; i < calls + 1000; ++i) {
    int64_t t0 = NowNs();
    int lr = bpf_map_lookup_elem(lfd.get(), &key, out);
    int64_t t1 = NowNs();
    if (lr < 0 || std::memcmp(out, value, sizeof(out)) != 0) ++bad;
    if (i >= 1000) lim.push_back(static_cast<double>(t1 - t0) / 1e3);
  }
  double med = Median(us), p99 = Percentile(us, 99);
  double lmed = Median(lim), lp99 = Percentile(lim, 99);
  std::printf(
      "b. BPF_LOOKUP_ELEM round trip (hash 8/40): median %.2f us, p99 %.2f us (%d calls); "
      "limit in-process bpf_map_lookup_elem median %.3f us, p99 %.3f us; ratio %.1fx; "
      "target median <= 20 us: %s%s\n",
      med, p99, calls, lmed, lp99, lmed > 0 ? med / lmed : 0.0, Verdict(med <= 20.0),
      bad ? " (BAD REPLIES)" : "");
  std::printf(
      "b. floor: 1-byte pipe ping-pong between two processes (write/poll/read) median "
      "%.2f us; lookup/floor %.2fx\n",
      floor, floor > 0 ? med / floor : 0.0);
  if (!pinned.empty())
    std::printf(
        "b. BPF_LOOKUP_ELEM round trip, client and daemon pinned to CPU 0: median %.2f us, "
        "p99 %.2f us; ratio to the limit %.1fx; target median <= 20 us: %s\n",
        Median(pinned), Percentile(pinned, 99), lmed > 0 ? Median(pinned) / lmed : 0.0,
        Verdict(Median(pinned) <= 20.0));
  return bad ? -EPROTO : 0;
}

// The id of the only map named `name` with our key/value sizes and max_entries, opened.
int OpenMapByName(const std::string& name, uint32_t max_entries, UniqueFd* out) {
  uint32_t id = 0;
  int found = 0;
  while (bpf_map_get_next_id(id, &id) == 0) {
    UniqueFd fd(bpf_map_get_fd_by_id(id));
    if (!fd) continue;  // freed meanwhile
    bpf_map_info info;
    std::memset(&info, 0, sizeof(info));
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) < 0) continue;
    if (name == info.name && info.key_size == kKeySize && info.value_size == kValueSize &&
        info.max_entries == max_entries) {
      ++found;
      *out = std::move(fd);
    }
  }
  if (found != 1) return found == 0 ? -ENOENT : -EEXIST;
  return 0;
}

// Fills keys 1..n with values whose first 8 bytes repeat the key.
int FillMap(int fd, uint32_t n) {
  std::vector<uint64_t> keys(n);
  std::vector<uint8_t> values(static_cast<size_t>(n) * kValueSize);
  for (uint32_t i = 0; i < n; ++i) {
    keys[i] = i + 1;
    uint8_t* v = &values[static_cast<size_t>(i) * kValueSize];
    std::memset(v, static_cast<int>(i & 0xff), kValueSize);
    std::memcpy(v, &keys[i], sizeof(uint64_t));
  }
  uint32_t count = n;
  if (bpf_map_update_batch(fd, keys.data(), values.data(), &count, nullptr) == 0 && count == n)
    return 0;
  for (uint32_t i = 0; i < n; ++i) {  // no batch ops (kernel < 5.6): one by one
    if (bpf_map_update_elem(fd, &keys[i], &values[static_cast<size_t>(i) * kValueSize], 0) < 0)
      return -errno;
  }
  return 0;
}

// C. Whole-map dumps (BPF_GET_FIRST_KEY fd 8 40 1) vs in-process get_next_key + lookup.
int BenchDump(ProtocolClient& c, const Options& o) {
  std::vector<uint32_t> sizes = {10000, 100000};
  if (!o.quick) sizes.push_back(1000000);
  int index = 0;
  bool target_met = true;
  for (uint32_t n : sizes) {
    const std::string name = "pb" + std::to_string(getpid()) + "_d" + std::to_string(index++);
    int64_t fd = CallRet(c, "BPF_CREATE_MAP 1 " + name + " 8 40 " + std::to_string(n) + " 0");
    if (fd < 0) return static_cast<int>(fd);
    UniqueFd mine;
    int r = OpenMapByName(name, n, &mine);
    if (r < 0) {
      std::fprintf(stderr, "protocol_bench: map %s not found by id: %s\n", name.c_str(),
                   std::strerror(-r));
      return r;
    }
    r = FillMap(mine.get(), n);
    if (r < 0) return r;
    const int runs = n <= 100000 ? 3 : 1;
    const std::string line = "BPF_GET_FIRST_KEY " + std::to_string(fd) + " 8 40 1";
    std::vector<double> secs, lim_secs;
    size_t reply_bytes = 0;
    for (int run = 0; run < runs; ++run) {
      uint64_t lines = 0, bad = 0, key_sum = 0, bytes = 0;
      std::vector<uint8_t> k;
      int64_t t0 = NowNs();
      int cr = c.CallEach(
          line,
          [&](std::string_view l) {
            bytes += l.size() + 1;
            if ((lines++ & 1) == 0) {  // key line: decode it for the checksum
              uint64_t key = 0;
              if (l.size() != 12 || Base64Decode(l, &k) < 0 || k.size() != 8) {
                ++bad;
              } else {
                std::memcpy(&key, k.data(), 8);
                key_sum += key;
              }
            } else if (l.size() != 56) {
              ++bad;
            }
            return 0;
          },
          120000);
      int64_t t1 = NowNs();
      if (cr < 0) {
        std::fprintf(stderr, "protocol_bench: dump %u: %s\n", n, std::strerror(-cr));
        return cr;
      }
      const uint64_t want_sum = static_cast<uint64_t>(n) * (n + 1ull) / 2;
      if (lines != 2ull * n || bad || key_sum != want_sum) {
        std::fprintf(stderr,
                     "protocol_bench: dump %u: %llu lines (want %llu), %llu bad, key sum %s\n", n,
                     static_cast<unsigned long long>(lines), 2ull * n,
                     static_cast<unsigned long long>(bad), key_sum == want_sum ? "ok" : "WRONG");
        return -EPROTO;
      }
      reply_bytes = bytes;
      secs.push_back(static_cast<double>(t1 - t0) / 1e9);

      // The limit on the same map: get_next_key + lookup in-process.
      uint64_t key = 0, next = 0, count = 0;
      uint8_t value[kValueSize];
      t0 = NowNs();
      int gr = bpf_map_get_next_key(mine.get(), nullptr, &key);
      while (gr == 0) {
        if (bpf_map_lookup_elem(mine.get(), &key, value) == 0) ++count;
        gr = bpf_map_get_next_key(mine.get(), &key, &next);
        key = next;
      }
      t1 = NowNs();
      if (count != n) {
        std::fprintf(stderr, "protocol_bench: in-process walk saw %llu of %u\n",
                     static_cast<unsigned long long>(count), n);
        return -EPROTO;
      }
      lim_secs.push_back(static_cast<double>(t1 - t0) / 1e9);
    }
    double s = Median(secs), ls = Median(lim_secs);
    std::printf(
        "c. dump %7u entries: %.3f s (%.2f us/entry, %.1f MB, %u lines checked; median of %d)"
        "; limit in-process get_next_key+lookup %.3f s (%.2f us/entry); ratio %.2fx",
        n, s, s * 1e6 / n, static_cast<double>(reply_bytes) / 1e6, 2 * n, runs, ls, ls * 1e6 / n,
        ls > 0 ? s / ls : 0.0);
    if (n == 100000) {
      target_met = s <= 0.5;
      std::printf("; target <= 0.5 s: %s", Verdict(target_met));
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}

int Run(const Options& o) {
  PrintHeader(o);
  // The daemon's stderr (e.g. its lost-sample notes) goes to an unlinked temporary file.
  char tmpl[] = "/tmp/protocol_bench.XXXXXX";
  UniqueFd err(mkostemp(tmpl, O_CLOEXEC));
  if (err) unlink(tmpl);
  std::fflush(stdout);
  int r = o.guest_load.empty() ? BenchStartup(o, err.get()) : 0;
  if (r < 0) return r;
  std::fflush(stdout);

  ProtocolClient c;
  r = Open(o, err.get(), &c);
  if (r < 0) {
    std::fprintf(stderr, "protocol_bench: daemon: %s\n", std::strerror(-r));
    return r;
  }
  long rss0 = StatusKb(c.pid(), "VmRSS");
  if (o.remote.empty())
    std::printf("a. daemon idle RSS right after the banner: %ld kB; target <= 2048 kB: %s\n", rss0,
                Verdict(rss0 >= 0 && rss0 <= 2048));
  std::fflush(stdout);

  int failures = 0;
  int (*parts[])(ProtocolClient&, const Options&) = {BenchLookup, BenchDump, RunPerfBench};
  for (auto part : parts) {
    if (!o.guest_load.empty() && part != RunPerfBench) continue;
    r = part(c, o);
    std::fflush(stdout);
    if (r < 0) {
      ++failures;
      if (r == -ECONNRESET || r == -EPIPE) break;  // the daemon is gone
    }
  }
  long rss1 = StatusKb(c.pid(), "VmRSS"), hwm = StatusKb(c.pid(), "VmHWM");
  if (o.remote.empty())
    std::printf("a. daemon RSS after the benchmarks: %ld kB (peak VmHWM %ld kB)\n", rss1, hwm);
  int st = c.Close(10000);
  std::printf("daemon `exit` status: %d%s\n", st, st == 0 ? "" : " (UNCLEAN)");
  if (err) {
    off_t size = lseek(err.get(), 0, SEEK_END);
    std::printf("daemon stderr: %lld bytes\n", static_cast<long long>(size));
  }
  return failures || st != 0 ? -EIO : 0;
}

}  // namespace
}  // namespace bpfd::bench

int main(int argc, char** argv) {
  bpfd::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      o.quick = true;
    } else if (std::strcmp(argv[i], "--remote") == 0 && i + 1 < argc) {
      o.remote = argv[++i];
    } else if (std::strcmp(argv[i], "--paced-rate") == 0 && i + 1 < argc) {
      o.paced_rate = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--guest-load") == 0 && i + 1 < argc) {
      o.guest_load = argv[++i];
    } else if (o.bpfd.empty() && argv[i][0] != '-') {
      o.bpfd = argv[i];
    } else {
      o.bpfd.clear();
      break;
    }
  }
  if (o.bpfd.empty() || (!o.guest_load.empty() && o.remote.empty())) {
    std::fprintf(stderr,
                 "Usage: %s BPFD_BINARY [--quick] [--remote SPEC [--guest-load CTL_SOCKET]]\n",
                 argc > 0 ? argv[0] : "protocol_bench");
    return 2;
  }
  return bpfd::bench::Run(o) == 0 ? 0 : 1;
}
