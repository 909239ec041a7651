// Perf buffer commands: BPF_OPEN_PERF_BUFFER, PERF_READER_POLL (returns early when a new command
// line arrives on the session's input) and PERF_READER_LOST (bpfd extension: lost-sample counts).

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/wire/base64.h"
#include "core/daemon/handler.h"
#include "core/kernel/perf_buffer.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

void AppendNumber(std::string* out, uint64_t v) {
  char num[24];
  auto res = std::to_chars(num, num + sizeof(num), v);
  out->append(num, res.ptr);
}

// Moves every pending sample of the listed buffers into the reply as "<fd> <size> <b64>"
// lines; reports newly lost samples on stderr. Returns the number of samples.
int DrainAll(Session& s, const std::vector<int>& fds, Reply& r) {
  int total = 0;
  std::string* out = r.raw();
  for (int fd : fds) {
    PerfBuffer* buf = s.FindPerfBuffer(fd);
    int n = buf->Drain([&](const uint8_t* data, uint32_t size) {
      AppendNumber(out, static_cast<uint64_t>(fd));
      out->push_back(' ');
      AppendNumber(out, size);
      out->push_back(' ');
      Base64Append(data, size, out);
      out->push_back('\n');
    });
    if (n > 0) total += n;
    if (n < 0) std::fprintf(stderr, "bpfd: perf buffer %d: corrupt ring data skipped\n", fd);
    uint64_t* reported = s.reported_lost(fd);
    if (buf->lost() > *reported) {
      std::fprintf(stderr, "bpfd: perf buffer %d: %llu samples lost (%llu in total)\n", fd,
                   static_cast<unsigned long long>(buf->lost() - *reported),
                   static_cast<unsigned long long>(buf->lost()));
      *reported = buf->lost();
    }
  }
  return total;
}

}  // namespace

// BPF_OPEN_PERF_BUFFER pid cpu page_cnt -> the reader fd (the perf event fd to store in a
// BPF_MAP_TYPE_PERF_EVENT_ARRAY)
int CmdOpenPerfBuffer(Session& s, Args a, Reply& r) {
  int pid, cpu, page_cnt;
  if (!ParseInt(a[0], &pid) || !ParseInt(a[1], &cpu) || !ParseInt(a[2], &page_cnt))
    return kBadArgs;
  constexpr std::string_view fn = "bpf_open_perf_buffer";
  if (pid < -1 || cpu < -1 || page_cnt <= 0 || (page_cnt & (page_cnt - 1)) != 0) {
    r.Ret(fn, -EINVAL);
    return 0;
  }
  if (NoKernel(s, r, fn)) return 0;
  std::unique_ptr<PerfBuffer> buf;
  int ret = PerfBuffer::Open(pid, cpu, page_cnt, &buf);
  if (ret == 0 && (!buf || buf->fd() < 0)) ret = -EIO;
  r.Ret(fn, ret < 0 ? ret : s.AddPerfBuffer(std::move(buf)));
  return 0;
}

// PERF_READER_POLL timeout_ms n fd1 ... fdn -> one "<fd> <size> <b64>" line per sample, no ret
// line. Waits until a sample arrives, the timeout passes (negative: no limit), a signal comes,
// or a complete command line (or EOF) is waiting on the session's input.
int CmdPerfReaderPoll(Session& s, Args a, Reply& r) {
  int timeout, n;
  if (!ParseInt(a[0], &timeout) || !ParseInt(a[1], &n)) return kBadArgs;
  constexpr std::string_view fn = "perf_reader_poll";
  if (n < 0 || static_cast<size_t>(n) != a.size() - 2) {
    r.Ret(fn, -EINVAL);
    return 0;
  }
  std::vector<int> fds;
  for (size_t i = 2; i < a.size(); ++i) {
    int fd;
    if (!ParseInt(a[i], &fd)) return kBadArgs;
    fds.push_back(fd);
  }
  std::vector<int> uniq;
  for (int fd : fds) {
    if (!s.FindPerfBuffer(fd)) {
      r.Ret(fn, -EINVAL);
      return 0;
    }
    bool dup = false;
    for (int u : uniq) dup = dup || u == fd;
    if (!dup) uniq.push_back(fd);
  }
  if (NoKernel(s, r, fn)) return 0;

  int ret = WaitUnlessInput(s, uniq, timeout, [&] { return DrainAll(s, uniq, r) > 0; });
  if (ret < 0) r.Ret(fn, ret);
  return 0;
}

// PERF_READER_LOST [fd ...] -> "perf_reader_lost: ret=0" then "<fd> <lost>" per buffer (all of
// the session's buffers when none is named).
int CmdPerfReaderLost(Session& s, Args a, Reply& r) {
  std::vector<int> fds;
  for (std::string_view t : a) {
    int fd;
    if (!ParseInt(t, &fd)) return kBadArgs;
    fds.push_back(fd);
  }
  if (a.empty()) fds = s.PerfBufferFds();
  for (int fd : fds) {
    if (!s.FindPerfBuffer(fd)) {
      r.Ret("perf_reader_lost", -EINVAL);
      return 0;
    }
  }
  r.Ret("perf_reader_lost", 0);
  for (int fd : fds) {
    std::string* out = r.raw();
    AppendNumber(out, static_cast<uint64_t>(fd));
    out->push_back(' ');
    AppendNumber(out, s.FindPerfBuffer(fd)->lost());
    out->push_back('\n');
  }
  return 0;
}

}  // namespace bpfd
