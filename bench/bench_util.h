// protocol_bench helpers: clocks, percentiles, /proc figures and protocol calls whose ret= is
// checked (failures are printed to stderr with the reply). Header-only; bench code only.
#pragma once
#include <sys/types.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/client/protocol_client.h"
#include "core/wire/base64.h"

namespace bpfd::bench {

inline constexpr int kCallTimeoutMs = 30000;

struct Options {
  std::string bpfd;    // the daemon binary
  std::string remote;  // --remote SPEC: measure through this transport instead of a child
  // --guest-load PATH: part d only, its getpid() load run inside a tests/guest qemu guest by
  // its init (PID 1), asked through the init's control socket PATH (bench/guest_perf.sh).
  std::string guest_load;
  bool quick = false;
  int paced_rate = 200000;  // --paced-rate N: part d's paced run, samples per second
};

inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Nearest-rank percentile (p in [0, 100]) of the values; 0 when there are none.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}
inline double Median(const std::vector<double>& v) { return Percentile(v, 50); }

// A "kB" field of /proc/<pid>/status (VmRSS, VmHWM), or -1.
inline long StatusKb(pid_t pid, const char* field) {
  std::string path = "/proc/" + std::to_string(pid) + "/status";
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  size_t flen = std::strlen(field);
  while (std::fgets(line, sizeof(line), f)) {
    if (std::strncmp(line, field, flen) == 0 && line[flen] == ':') {
      kb = std::strtol(line + flen + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

inline std::string B64(const void* data, size_t len) {
  return Base64Encode(static_cast<const uint8_t*>(data), len);
}

// Sends `line`, returns the ret= number of the first reply line (>= 0 is success), or a
// negative error: the call's, the reply's ret=, or -EPROTO for a reply without ret=.
inline int64_t CallRet(ProtocolClient& c, const std::string& line,
                       int timeout_ms = kCallTimeoutMs) {
  std::vector<std::string> reply;
  int r = c.Call(line, &reply, timeout_ms);
  if (r < 0) {
    std::fprintf(stderr, "protocol_bench: '%.60s': %s\n", line.c_str(), std::strerror(-r));
    return r;
  }
  int64_t ret = 0;
  int pr = reply.empty() ? -ENOENT : ParseRet(reply[0], &ret);
  if (pr < 0) ret = -EPROTO;
  if (ret < 0) {
    std::fprintf(stderr, "protocol_bench: '%.60s' failed (%lld):\n", line.c_str(),
                 static_cast<long long>(ret));
    for (size_t i = 0; i < reply.size() && i < 20; ++i)
      std::fprintf(stderr, "  %s\n", reply[i].c_str());
  }
  return ret;
}

// Prints "<label>: met|MISSED" for a target.
inline const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

// Part d (perf_bench.cc): perf samples through PERF_READER_POLL and the in-process limit.
// Returns 0, or -errno if the benchmark could not run.
int RunPerfBench(ProtocolClient& c, const Options& o);

}  // namespace bpfd::bench
