// protocol_bench part d: 64-byte perf samples from syscalls:sys_enter_getpid (own tgid only)
// read through PERF_READER_POLL, flat out and paced, next to libbpf's perf_buffer in-process.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "core/base/unique_fd.h"
#include "core/kernel/bpf_insns.h"
#include "core/kernel/tracefs.h"
#include "core/wire/tokens.h"

namespace bpfd::bench {
namespace {

constexpr int kPages = 64;  // per-CPU ring: 256 KiB with 4 KiB pages
constexpr uint32_t kSampleSize = 64;
// What a reader sees: the kernel pads a raw sample so that its u32 size + data is 8-aligned.
constexpr uint32_t kRawSize = ((kSampleSize + 4 + 7) & ~7u) - 4;
// Samples emitted per getpid(): one syscall costs several microseconds in this VM, so a
// single sample per call would measure the load generator, not delivery.
constexpr int kSamplesPerCall = 8;
constexpr uint64_t kMagic = 0x62706664'62656e63ull;  // "bpfdbenc"

// The sample program: if (pid_tgid >> 32 == tgid) kSamplesPerCall times (i = 0..)
// perf_event_output(ctx, map, CURRENT_CPU, {pid_tgid, kMagic, ktime_ns, i, 4, 5, 6, 7}, 64);
// return 0. The time and the index make samples differ as real events do (a deflated stream
// of identical samples would flatter the link).
std::vector<bpf_insn> SampleProgram(int map_fd, uint32_t tgid) {
  using namespace insn;
  std::vector<bpf_insn> p;
  p.push_back(Mov64Reg(6, 1));  // r6 = ctx
  p.push_back(Call(BPF_FUNC_get_current_pid_tgid));
  p.push_back(Mov64Reg(7, 0));
  p.push_back(Alu64Imm(BPF_RSH, 0, 32));
  const size_t jne = p.size();
  p.push_back(JmpImm(BPF_JNE, 0, static_cast<int32_t>(tgid), 0));  // patched below
  p.push_back(StxMem(BPF_DW, 10, 7, -64));
  LdImm64(&p, 1, kMagic);
  p.push_back(StxMem(BPF_DW, 10, 1, -56));
  p.push_back(Call(BPF_FUNC_ktime_get_ns));
  p.push_back(StxMem(BPF_DW, 10, 0, -48));
  for (int i = 4; i < 8; ++i) p.push_back(StMem(BPF_DW, 10, static_cast<int16_t>(-64 + 8 * i), i));
  for (int i = 0; i < kSamplesPerCall; ++i) {
    p.push_back(StMem(BPF_DW, 10, -40, i));
    p.push_back(Mov64Reg(1, 6));
    LdMapFd(&p, 2, map_fd);
    LdImm64(&p, 3, BPF_F_CURRENT_CPU);
    p.push_back(Mov64Reg(4, 10));
    p.push_back(Alu64Imm(BPF_ADD, 4, -64));
    p.push_back(Mov64Imm(5, kSampleSize));
    p.push_back(Call(BPF_FUNC_perf_event_output));
  }
  p[jne].off = static_cast<int16_t>(p.size() - jne - 1);
  p.push_back(Mov64Imm(0, 0));
  p.push_back(Exit());
  return p;
}

bool SampleOk(const uint8_t* d, uint32_t size, uint32_t tgid) {
  uint64_t pid_tgid, magic;
  if (size != kRawSize) return false;
  std::memcpy(&pid_tgid, d, 8);
  std::memcpy(&magic, d + 8, 8);
  return pid_tgid >> 32 == tgid && magic == kMagic;
}

// Asks the guest's init on its control socket to call getpid() for `secs` at `rate` calls per
// second (0: flat out): "getpid RATE MS" -> "getpid CALLS NS". 0 or -errno.
int GuestGetpid(const std::string& ctl, double rate, double secs, uint64_t* calls, double* took) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (ctl.size() >= sizeof(sa.sun_path)) return -ENAMETOOLONG;
  std::memcpy(sa.sun_path, ctl.c_str(), ctl.size());
  UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s || connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0) return -errno;
  char line[64];
  int n = std::snprintf(line, sizeof(line), "getpid %.0f %.0f\n", rate, secs * 1000);
  if (write(s.get(), line, static_cast<size_t>(n)) != n) return -EIO;
  std::string reply;
  char c;
  while (reply.size() < 64 && read(s.get(), &c, 1) == 1 && c != '\n') reply.push_back(c);
  unsigned long long nc, ns;
  if (std::sscanf(reply.c_str(), "getpid %llu %llu", &nc, &ns) != 2) return -EPROTO;
  *calls = nc;
  *took = static_cast<double>(ns) / 1e9;
  return 0;
}

// Calls getpid() flat out (rate 0) or paced at `rate` calls per second for `secs`: in a thread
// of this process, or with guest_ctl set in the guest's init.
struct Generator {
  std::atomic<bool> done{false};
  uint64_t calls = 0;
  double seconds = 0;
  int error = 0;
  std::thread thread;

  void Start(const std::string& guest_ctl, double rate, double secs) {
    if (!guest_ctl.empty()) {
      thread = std::thread([this, guest_ctl, rate, secs] {
        error = GuestGetpid(guest_ctl, rate, secs, &calls, &seconds);
        done.store(true);
      });
      return;
    }
    thread = std::thread([this, rate, secs] {
      const int64_t t0 = NowNs(), dur = static_cast<int64_t>(secs * 1e9);
      uint64_t n = 0;
      while (true) {
        int64_t el = NowNs() - t0;
        if (el >= dur) break;
        uint64_t target =
            rate > 0 ? static_cast<uint64_t>(static_cast<double>(el) * rate / 1e9) : n + 256;
        if (n >= target) {
          timespec ts = {0, 20000};
          nanosleep(&ts, nullptr);
          continue;
        }
        for (; n < target; ++n) syscall(SYS_getpid);
      }
      calls = n;
      seconds = static_cast<double>(NowNs() - t0) / 1e9;
      done.store(true);
    });
  }
  void Join() {
    if (thread.joinable()) thread.join();
  }
};

struct RunResult {
  uint64_t generated = 0, delivered = 0, lost = 0, bad = 0;
  double gen_seconds = 0, seconds = 0;  // generator time; first call to last sample
  int error = 0;
};

// Polls with poll_once (returns samples seen, or -errno) while the generator runs, then until
// two polls in a row bring nothing.
RunResult Drive(const Options& o, double rate, double secs, const std::function<int()>& poll_once) {
  RunResult res;
  Generator gen;
  const int64_t t0 = NowNs();
  int64_t last = t0;
  gen.Start(o.guest_load, rate / kSamplesPerCall, secs);
  int quiet = 0;
  while (quiet < 2) {
    bool gen_done = gen.done.load();
    int n = poll_once();
    if (n < 0) {
      res.error = n;
      break;
    }
    if (n > 0) {
      res.delivered += static_cast<uint64_t>(n);
      last = NowNs();
    }
    quiet = gen_done && n == 0 ? quiet + 1 : 0;
  }
  gen.Join();
  if (gen.error < 0 && res.error == 0) res.error = gen.error;
  res.generated = gen.calls * kSamplesPerCall;
  res.gen_seconds = gen.seconds;
  res.seconds = static_cast<double>(last - t0) / 1e9;
  return res;
}

// Sum of the session's lost counts (PERF_READER_LOST), or -errno.
int64_t QueryLost(ProtocolClient& c) {
  std::vector<std::string> reply;
  int r = c.Call("PERF_READER_LOST", &reply, kCallTimeoutMs);
  if (r < 0) return r;
  int64_t ret = -1;
  if (reply.empty() || ParseRet(reply[0], &ret) < 0 || ret < 0) return -EPROTO;
  int64_t sum = 0;
  for (size_t i = 1; i < reply.size(); ++i) {
    size_t sp = reply[i].find(' ');
    int64_t v;
    if (sp == std::string::npos || !ParseInt64(std::string_view(reply[i]).substr(sp + 1), &v))
      return -EPROTO;
    sum += v;
  }
  return sum;
}

void Print(const char* what, const RunResult& r, const char* extra) {
  std::printf(
      "d. %s: %llu samples emitted in %.2f s (%.0f/s), delivered %llu (%.0f/s), lost %llu%s%s\n",
      what, static_cast<unsigned long long>(r.generated), r.gen_seconds,
      r.gen_seconds > 0 ? static_cast<double>(r.generated) / r.gen_seconds : 0.0,
      static_cast<unsigned long long>(r.delivered),
      r.seconds > 0 ? static_cast<double>(r.delivered) / r.seconds : 0.0,
      static_cast<unsigned long long>(r.lost), r.bad ? " BAD SAMPLES" : "", extra);
  std::fflush(stdout);
}

// The protocol side: returns 0 and fills *flat/*paced, or -errno.
int RunProtocol(ProtocolClient& c, const Options& o, uint32_t tgid, RunResult* flat,
                RunResult* paced) {
  const int ncpu = libbpf_num_possible_cpus();
  const std::string sfx = std::to_string(tgid);
  int64_t map = CallRet(c, "BPF_CREATE_MAP 4 pb" + sfx + "_p 4 4 " + std::to_string(ncpu) + " 0");
  if (map < 0) return static_cast<int>(map);
  std::vector<int64_t> readers;
  for (int cpu = 0; cpu < ncpu; ++cpu) {
    int64_t rfd =
        CallRet(c, "BPF_OPEN_PERF_BUFFER -1 " + std::to_string(cpu) + " " + std::to_string(kPages));
    if (rfd < 0) continue;  // e.g. an offline CPU
    uint32_t k = static_cast<uint32_t>(cpu), v = static_cast<uint32_t>(rfd);
    int64_t r = CallRet(c, "BPF_UPDATE_ELEM " + std::to_string(map) + " " + B64(&k, 4) + " 4 " +
                               B64(&v, 4) + " 4 0");
    if (r < 0) return static_cast<int>(r);
    readers.push_back(rfd);
  }
  if (readers.empty()) return -ENODEV;
  std::vector<bpf_insn> prog = SampleProgram(static_cast<int>(map), tgid);
  const size_t len = prog.size() * sizeof(bpf_insn);
  int64_t pfd = CallRet(c, "BPF_PROG_LOAD 5 pb" + sfx + " " + std::to_string(len) + " GPL 0 " +
                               B64(prog.data(), len));
  if (pfd < 0) return static_cast<int>(pfd);
  int64_t r =
      CallRet(c, "BPF_ATTACH_TRACEPOINT " + std::to_string(pfd) + " syscalls sys_enter_getpid");
  if (r < 0) return static_cast<int>(r);

  std::string poll = "PERF_READER_POLL 50 " + std::to_string(readers.size());
  for (int64_t fd : readers) poll += " " + std::to_string(fd);
  uint64_t bad = 0, seen = 0;
  std::vector<uint8_t> data;
  auto on_line = [&](std::string_view l) {
    // "<fd> <size> <b64>": check the shape of every line, decode every 64th fully.
    size_t a = l.find(' '), b = a == std::string_view::npos ? a : l.find(' ', a + 1);
    int fd;
    uint32_t size;
    if (b == std::string_view::npos || !ParseInt(l.substr(0, a), &fd) ||
        !ParseUint32(l.substr(a + 1, b - a - 1), &size) || size != kRawSize ||
        l.size() - b - 1 != Base64EncodedSize(kRawSize)) {
      ++bad;
    } else if ((seen & 63) == 0 &&
               (Base64Decode(l.substr(b + 1), &data) < 0 || !SampleOk(data.data(), size, tgid))) {
      ++bad;
    }
    ++seen;
    return 0;
  };
  auto poll_once = [&]() -> int {
    uint64_t before = seen;
    int cr = c.CallEach(poll, on_line, kCallTimeoutMs);
    return cr < 0 ? cr : static_cast<int>(seen - before);
  };
  RunResult* runs[2] = {flat, paced};
  for (int i = 0; i < 2; ++i) {
    int64_t lost0 = QueryLost(c);
    bad = 0;
    RunResult* res = runs[i];
    *res = Drive(o, i == 0 ? 0 : o.paced_rate, i == 0 ? (o.quick ? 1.0 : 2.0) : 2.0, poll_once);
    // The kernel notes a full ring's loss (PERF_RECORD_LOST) only with the next sample that
    // fits: a short slow burst into the drained rings brings it into this phase, not the next.
    RunResult flush = Drive(o, 2000, 0.05, poll_once);
    res->generated += flush.generated;
    res->delivered += flush.delivered;
    if (res->error == 0) res->error = flush.error;
    int64_t lost1 = QueryLost(c);
    res->bad = bad;
    res->lost = lost0 >= 0 && lost1 >= lost0 ? static_cast<uint64_t>(lost1 - lost0) : 0;
    if (res->error < 0) return res->error;
    if (lost0 < 0 || lost1 < 0) return -EPROTO;
  }
  r = CallRet(c, "BPF_DETACH_TRACEPOINT syscalls sys_enter_getpid");
  return r < 0 ? static_cast<int>(r) : 0;
}

// The limit: the same program, attached and consumed in-process with libbpf.
struct LimitCtx {
  uint64_t samples = 0, lost = 0, bad = 0;
  uint32_t tgid = 0;
};

int RunLimit(const Options& o, uint32_t tgid, RunResult* out) {
  const int ncpu = libbpf_num_possible_cpus();
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "pb_limit_p", 4, 4,
                              static_cast<uint32_t>(ncpu), nullptr));
  if (!map) return -errno;
  std::vector<bpf_insn> prog = SampleProgram(map.get(), tgid);
  UniqueFd pfd(bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "pb_limit", "GPL", prog.data(), prog.size(),
                             nullptr));
  if (!pfd) return -errno;
  LimitCtx ctx;
  ctx.tgid = tgid;
  perf_buffer* pb = perf_buffer__new(
      map.get(), kPages,
      [](void* p, int, void* data, uint32_t size) {
        auto* x = static_cast<LimitCtx*>(p);
        if ((x->samples++ & 63) == 0 && !SampleOk(static_cast<uint8_t*>(data), size, x->tgid))
          ++x->bad;
      },
      [](void* p, int, __u64 n) { static_cast<LimitCtx*>(p)->lost += n; }, &ctx, nullptr);
  if (!pb) return -errno;
  std::string tracefs;
  int id = FindTracefs(&tracefs);
  if (id >= 0) id = TracepointId(tracefs, "syscalls", "sys_enter_getpid");
  UniqueFd ev;
  if (id >= 0) {
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = static_cast<uint64_t>(id);
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    ev.reset(
        static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)));
    if (!ev || ioctl(ev.get(), PERF_EVENT_IOC_SET_BPF, pfd.get()) < 0 ||
        ioctl(ev.get(), PERF_EVENT_IOC_ENABLE, 0) < 0)
      id = -errno;
  }
  if (id < 0) {
    perf_buffer__free(pb);
    return id;
  }
  *out = Drive(o, 0, o.quick ? 1.0 : 2.0, [&]() -> int {
    uint64_t before = ctx.samples;
    int r = perf_buffer__poll(pb, 50);
    return r < 0 && r != -EINTR ? r : static_cast<int>(ctx.samples - before);
  });
  out->lost = ctx.lost;
  out->bad = ctx.bad;
  ioctl(ev.get(), PERF_EVENT_IOC_DISABLE, 0);
  ev.reset();
  perf_buffer__free(pb);
  return out->error;
}

}  // namespace

int RunPerfBench(ProtocolClient& c, const Options& o) {
  // A guest's load is its init's: PID 1 there.
  const uint32_t tgid = o.guest_load.empty() ? static_cast<uint32_t>(getpid()) : 1;
  RunResult flat, paced, limit;
  int r = RunProtocol(c, o, tgid, &flat, &paced);
  if (r < 0) {
    std::fprintf(stderr, "protocol_bench: perf through the protocol: %s\n", std::strerror(-r));
    return r;
  }
  // The in-process limit is this host's kernel: no comparison for a guest's samples.
  const bool with_limit = o.guest_load.empty();
  r = with_limit ? RunLimit(o, tgid, &limit) : 0;
  if (r < 0) std::fprintf(stderr, "protocol_bench: perf limit: %s\n", std::strerror(-r));
  auto rate = [](const RunResult& x) {
    return x.seconds > 0 ? static_cast<double>(x.delivered) / x.seconds : 0.0;
  };
  char extra[160];
  std::snprintf(extra, sizeof(extra),
                "; %d B samples, %d per getpid, %d pages/CPU; target >= 500000/s: %s", kSampleSize,
                kSamplesPerCall, kPages, Verdict(rate(flat) >= 500000));
  Print("perf samples via PERF_READER_POLL, flat out", flat, extra);
  std::snprintf(extra, sizeof(extra), "; target 0 lost: %s",
                Verdict(paced.lost == 0 && paced.delivered == paced.generated));
  const std::string paced_name =
      "perf samples via PERF_READER_POLL, paced " + std::to_string(o.paced_rate) + "/s";
  Print(paced_name.c_str(), paced, extra);
  if (r == 0 && with_limit) {
    std::snprintf(extra, sizeof(extra), "; ratio protocol/limit %.2fx",
                  rate(limit) > 0 ? rate(flat) / rate(limit) : 0.0);
    Print("limit in-process libbpf perf_buffer__poll, flat out", limit, extra);
  }
  return flat.bad || paced.bad ? -EPROTO : r;
}

}  // namespace bpfd::bench
