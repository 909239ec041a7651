// The fault cases about what a client sends: an over-long line, RING_MAP on a regular file, a
// hostile ELF, trace_pipe, a FIFO planted as an executable, SIGTERM while a command blocks.
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "tests/fault/case_util.h"
#include "tests/fault/fault_elf.h"

namespace bpfd::fault {
namespace {

// A SYS_BPF BPF_MAP_CREATE line for a map of `type` (attr zero-extended to 48 bytes).
std::string MapCreateLine(uint32_t type, uint32_t key, uint32_t value, uint32_t entries) {
  std::string attr(48, '\0');
  const uint32_t f[4] = {type, key, value, entries};
  std::memcpy(attr.data(), f, sizeof f);
  return "SYS_BPF " + std::to_string(BPF_MAP_CREATE) + " " + B64(attr);
}

int64_t MiB(int64_t kb) { return kb < 0 ? -1 : kb / 1024; }

int CopyFile(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  out.close();
  return in && out ? chmod(to.c_str(), 0755) : -1;
}

}  // namespace

// An over-long line: with a small --max-line, one error reply and the session carries on; a
// 1 GiB line without a newline under the default cap: one error reply, exit 0 or 1 at EOF
// (never a signal), the daemon's memory bounded.
CaseResult BigLine(const FaultEnv& env) {
  Case c(env, "big_line");
  {
    Daemon d(env.bpfd, {"--max-line", "1048576"}, c.Path("1.err"));
    c.Expect(d.ok(), "no banner (--max-line)");
    std::string big = "FILE_WRITE 3 " + std::string(4 << 20, 'A') + "\n";
    c.Expect(d.conn().Write(big, 20000) == 0, "writing a 4 MiB line");
    std::vector<std::string> err;
    c.Expect(d.conn().Reply(&err, 10000) && err.size() == 1 &&
                 (err[0].find("ret=-") != std::string::npos ||
                  err[0].find("not recognized") != std::string::npos),
             "no single error line for a line over --max-line: " + (err.empty() ? "" : err[0]));
    c.Expect(d.Call("BPF_CREATE_MAP 1 bl 4 4 1 0") >= 0, "the session did not carry on");
    d.conn().Send("exit");
    EndsWithin(c, d, 5000, {0}, "exit");
  }
  Daemon d(env.bpfd, {}, c.Path("2.err"));
  const std::string chunk(1 << 20, 'A');
  const int64_t t0 = NowMs();
  uint64_t sent = 0;
  while (sent < env.big_line && d.conn().Write(chunk, 20000) == 0) sent += chunk.size();
  c.Expect(sent >= env.big_line,
           "the daemon stopped reading after " + std::to_string(sent >> 20) + " MiB");
  const int64_t peak = MiB(d.PeakRssKb());
  d.conn().CloseInput();
  std::vector<std::string> first;
  int replies = d.conn().DrainReplies(10000 + env.slack_ms, &first);
  c.Expect(replies == 1 && first.size() == 1,
           "expected one error line, got " + std::to_string(replies) + " replies");
  EndsWithin(c, d, 5000, {0, 1}, "end at EOF");
  c.Expect(peak >= 0 && peak < 256, "peak RSS " + std::to_string(peak) + " MiB (bar: < 256)");
  c.Note(std::to_string(sent >> 20) + " MiB in " + std::to_string(NowMs() - t0) + " ms, peak RSS " +
         std::to_string(peak) + " MiB");
  return c.Finish();
}

// RING_MAP on what is neither a perf event nor a BPF ring buffer: -EINVAL, nothing mapped.
CaseResult RingMapRegularFile(const FaultEnv& env) {
  Case c(env, "ring_map_file");
  Daemon d(env.bpfd, {}, c.Path("err"));
  int64_t file = d.Call("FILE_OPEN " + B64("/proc/kallsyms") + " 0 0");
  c.Expect(file >= 0, "FILE_OPEN /proc/kallsyms: " + std::to_string(file));
  const std::string f = std::to_string(file);
  int64_t perf = d.Call("RING_MAP " + f + " perf 4096");
  int64_t ring = d.Call("RING_MAP " + f + " ringbuf 4096");
  c.Expect(perf == -EINVAL && ring == -EINVAL, "RING_MAP of a regular file: perf " +
                                                   std::to_string(perf) + ", ringbuf " +
                                                   std::to_string(ring) + " (want -22)");
  c.Expect(d.Call("RING_POLL 0 " + f + ":4096") == -EBADF, "RING_POLL of the unmapped fd");
  int64_t array = d.Call(MapCreateLine(BPF_MAP_TYPE_ARRAY, 4, 8, 1));
  c.Expect(array >= 0, "an array map through SYS_BPF: " + std::to_string(array));
  int64_t wrong = d.Call("RING_MAP " + std::to_string(array) + " ringbuf 4096");
  c.Expect(wrong == -EINVAL, "RING_MAP ringbuf of an array map: " + std::to_string(wrong));
  c.Expect(d.Call("BPF_CREATE_MAP 1 rm 4 4 1 0") >= 0, "the daemon does not answer after");
  d.conn().Send("exit");
  EndsWithin(c, d, 5000, {0}, "exit");
  return c.Finish();
}

// An ELF of 200 000 symbols sharing one 4 KiB name: an answer (or a clear error) with the
// daemon's memory bounded, and the daemon still serving.
CaseResult HostileElf(const FaultEnv& env) {
  Case c(env, "hostile_elf");
  const std::string path = c.Path("elf");
  c.Expect(WriteSharedNameElf(path, 200000, 4096) == 0, "writing the ELF");
  Daemon d(env.bpfd, {}, c.Path("err"));
  const int64_t t0 = NowMs();
  int64_t ret = d.Call("GET_ELF_FUNCS " + path, nullptr, 60000 + env.slack_ms);
  const int64_t peak = MiB(d.PeakRssKb());
  c.Expect(ret != kNoReply, "no reply to GET_ELF_FUNCS");
  c.Expect(peak >= 0 && peak < 256, "peak RSS " + std::to_string(peak) + " MiB (bar: < 256)");
  c.Note("GET_ELF_FUNCS ret " + std::to_string(ret) + " in " + std::to_string(NowMs() - t0) +
         " ms, peak RSS " + std::to_string(peak) + " MiB");
  c.Expect(d.Call("BPF_CREATE_MAP 1 he 4 4 1 0") >= 0, "the daemon does not answer after");
  d.conn().Send("exit");
  EndsWithin(c, d, 5000, {0}, "exit");
  unlink(path.c_str());
  return c.Finish();
}

// FILE_READ of trace_pipe, then 2 s later `exit`, SIGTERM or end of input: the daemon exits 0
// within 1 s, having cleaned up.
CaseResult TracePipe(const FaultEnv& env) {
  Case c(env, "trace_pipe");
  for (const char* how : {"exit", "SIGTERM", "EOF"}) {
    Daemon d(env.bpfd, kDaemonTracefs, c.Path(std::string(how) + ".err"));
    if (!Populated(c, d, Tag(std::string("tp") + how[0]))) continue;
    DrainTracePipe();
    d.conn().Send("FILE_READ " + B64(c.tracefs() + "/trace_pipe"));
    SleepMs(2000);
    c.Expect(!d.conn().Answered(), std::string(how) + ": FILE_READ of trace_pipe did not wait");
    if (how[0] == 'e')
      d.conn().Send("exit");
    else if (how[0] == 'S')
      d.Signal(SIGTERM);
    else
      d.conn().CloseInput();
    EndsWithin(c, d, 1000, {0}, how);
  }
  return c.Finish();
}

// A process whose executable was deleted and replaced by a FIFO at the same path: the symbol
// commands on it answer (an error) instead of blocking in open().
CaseResult FifoExe(const FaultEnv& env) {
  Case c(env, "fifo_exe");
  const std::string exe = c.Path("exe");
  c.Expect(CopyFile(env.bpfd, exe) == 0, "copying the victim binary");
  Daemon victim(exe, {}, c.Path("victim.err"));  // waits on its stdin
  unlink(exe.c_str());
  c.Expect(mkfifo(exe.c_str(), 0666) == 0, "mkfifo");
  std::string addr;
  {
    std::ifstream maps("/proc/" + std::to_string(victim.pid()) + "/maps");
    std::getline(maps, addr);
    addr = std::to_string(std::stoull(addr.substr(0, addr.find('-')), nullptr, 16) + 16);
  }
  Daemon d(env.bpfd, {}, c.Path("err"));
  const std::string pid = std::to_string(victim.pid());
  for (const std::string& cmd : {"GET_ELF_FUNCS " + exe, "GET_USYM_ADDR " + pid + " main " + exe,
                                 "GET_USYM_NAME " + pid + " " + addr + " 0"}) {
    const int64_t t0 = NowMs();
    int64_t ret = d.Call(cmd, nullptr, 5000 + env.slack_ms);
    c.Expect(ret != kNoReply, "no reply within 5 s to " + cmd.substr(0, cmd.find(' ')));
    c.Note(cmd.substr(0, cmd.find(' ')) + " ret " + std::to_string(ret) + " in " +
           std::to_string(NowMs() - t0) + " ms");
  }
  d.conn().Send("exit");
  EndsWithin(c, d, 5000, {0}, "exit");
  unlink(exe.c_str());
  return c.Finish();
}

// SIGTERM while each blocking command waits: the daemon exits 0 within 1 s, having cleaned up.
CaseResult SigtermBlocking(const FaultEnv& env) {
  Case c(env, "sigterm_blocking");
  const std::string pipe = B64(c.tracefs() + "/trace_pipe");
  struct Blocking {
    const char* name;
    std::string (*setup)(Daemon&, const std::string& pipe);  // the blocking line
  };
  const Blocking kBlocking[] = {
      {"FILE_READ", [](Daemon&, const std::string& p) { return "FILE_READ " + p; }},
      {"FILE_STREAM",
       [](Daemon& d, const std::string& p) {
         int64_t fd = d.Call("FILE_OPEN " + p + " " + std::to_string(O_RDONLY | O_NONBLOCK) + " 0");
         return "FILE_STREAM " + std::to_string(fd) + " 4096 10000";
       }},
      {"PERF_READER_POLL",
       [](Daemon& d, const std::string&) {
         int64_t fd = d.Call("BPF_OPEN_PERF_BUFFER -1 0 8");
         return "PERF_READER_POLL 10000 1 " + std::to_string(fd);
       }},
      {"RING_POLL",
       [](Daemon& d, const std::string&) {
         int64_t fd = d.Call(MapCreateLine(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096));
         d.Call("RING_MAP " + std::to_string(fd) + " ringbuf 4096");
         return "RING_POLL 10000 " + std::to_string(fd) + ":4096";
       }},
      {"reply write", [](Daemon&, const std::string&) { return std::string(); }},
  };
  int i = 0;
  for (const Blocking& b : kBlocking) {
    Daemon d(env.bpfd, kDaemonTracefs, c.Path("st" + std::to_string(i) + ".err"));
    if (!Populated(c, d, Tag("st" + std::to_string(i++) + "_"))) continue;
    std::string line = b.setup(d, pipe);
    DrainTracePipe();
    if (line.empty())
      Flood(d.conn());
    else
      d.conn().Send(line);
    SleepMs(500);
    c.Expect(line.empty() || !d.conn().Answered(), std::string(b.name) + " did not block");
    d.Signal(SIGTERM);
    EndsWithin(c, d, 1000, {0}, std::string("SIGTERM in ") + b.name);
  }
  return c.Finish();
}

}  // namespace bpfd::fault
