// Perf buffers (docs/protocol.md):
//   BPF_OPEN_PERF_BUFFER pid cpu page_cnt  -> ret=<the reader fd>
//   PERF_READER_POLL timeout_ms n fd...    -> "<fd> <size> <b64>" per sample (returns early when
//                                             a new command line arrives on the session's input)
//   PERF_READER_LOST [fd...]               -> ret=0, then "<fd> <lost>" per buffer (bpfd extension)
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/daemon/handler.h"
#include "core/kernel/perf_buffer.h"
#include "core/wire/base64.h"
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
int DrainAll(Session& s, const std::vector<int>& fds, CommandReply& r) {
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

// BPF_OPEN_PERF_BUFFER pid cpu page_cnt -> the reader fd (the perf event fd to store in a
// BPF_MAP_TYPE_PERF_EVENT_ARRAY)
Verdict CmdOpenPerfBuffer(Session& s, Args a, CommandReply& r) {
  int pid, cpu, page_cnt;
  if (!ParseInt(a[0], &pid) || !ParseInt(a[1], &cpu) || !ParseInt(a[2], &page_cnt))
    return Verdict::kBadArgs;
  if (pid < -1 || cpu < -1 || page_cnt <= 0 || (page_cnt & (page_cnt - 1)) != 0)
    return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::unique_ptr<PerfBuffer> buf;
  int ret = PerfBuffer::Open(pid, cpu, page_cnt, &buf);
  if (ret == 0 && (!buf || buf->fd() < 0)) ret = -EIO;
  return r.Ret(ret < 0 ? ret : s.AddPerfBuffer(std::move(buf)));
}

// PERF_READER_POLL timeout_ms n fd1 ... fdn -> one "<fd> <size> <b64>" line per sample, no ret
// line. Waits until a sample arrives, the timeout passes (negative: no limit), a signal comes,
// or a complete command line (or EOF) is waiting on the session's input.
Verdict CmdPerfReaderPoll(Session& s, Args a, CommandReply& r) {
  int timeout, n;
  if (!ParseInt(a[0], &timeout) || !ParseInt(a[1], &n)) return Verdict::kBadArgs;
  if (n < 0 || static_cast<size_t>(n) != a.size() - 2) return r.Ret(-EINVAL);
  std::vector<int> fds;
  for (size_t i = 2; i < a.size(); ++i) {
    int fd;
    if (!ParseInt(a[i], &fd)) return Verdict::kBadArgs;
    fds.push_back(fd);
  }
  std::vector<int> uniq;
  for (int fd : fds) {
    if (!s.FindPerfBuffer(fd)) return r.Ret(-EINVAL);
    bool dup = false;
    for (int u : uniq) dup = dup || u == fd;
    if (!dup) uniq.push_back(fd);
  }
  if (r.NoKernel(s)) return Verdict::kDone;

  int ret = WaitUnlessInput(s, uniq, timeout, [&] { return DrainAll(s, uniq, r) > 0; });
  if (ret < 0) r.Ret(ret);
  return Verdict::kDone;
}

// PERF_READER_LOST [fd ...] -> "perf_reader_lost: ret=0" then "<fd> <lost>" per buffer (all of
// the session's buffers when none is named).
Verdict CmdPerfReaderLost(Session& s, Args a, CommandReply& r) {
  std::vector<int> fds;
  for (std::string_view t : a) {
    int fd;
    if (!ParseInt(t, &fd)) return Verdict::kBadArgs;
    fds.push_back(fd);
  }
  if (a.empty()) fds = s.PerfBufferFds();
  for (int fd : fds)
    if (!s.FindPerfBuffer(fd)) return r.Ret(-EINVAL);
  r.Ret(0);
  for (int fd : fds) {
    std::string* out = r.raw();
    AppendNumber(out, static_cast<uint64_t>(fd));
    out->push_back(' ');
    AppendNumber(out, s.FindPerfBuffer(fd)->lost());
    out->push_back('\n');
  }
  return Verdict::kDone;
}

constexpr Command kPerfCommands[] = {
    {"BPF_OPEN_PERF_BUFFER", 3, "bpf_open_perf_buffer", CmdOpenPerfBuffer},
    {"PERF_READER_POLL", 2, "perf_reader_poll", CmdPerfReaderPoll},
    {"PERF_READER_LOST", 0, "perf_reader_lost", CmdPerfReaderLost},
};

}  // namespace

CommandGroup PerfCommands() { return kPerfCommands; }

}  // namespace bpfd
