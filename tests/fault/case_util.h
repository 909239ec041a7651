// Shared by the fault cases (fault_cases.cc, fault_input_cases.cc): one case's bookkeeping,
// a session populated with everything that outlives an fd, and timing checks.
#pragma once
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/wire/tokens.h"
#include "tests/fault/daemon_driver.h"
#include "tests/fault/fault_cases.h"
#include "tests/fault/leftovers.h"

namespace bpfd::fault {

inline constexpr char kProg[] = "twAAAAAAAACVAAAAAAAAAA==";  // r0 = 0; exit

inline void SleepMs(int ms) {
  timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

// One case's bookkeeping: failures, figures, and the kernel's state when it began.
class Case {
 public:
  Case(const FaultEnv& env, std::string name)
      : env_(env), name_(std::move(name)), before_(Snapshot()), tracefs_(TracefsDir()) {}
  const FaultEnv& env() const { return env_; }
  const std::string& tracefs() const { return tracefs_; }
  std::string Path(const std::string& what) const {
    return env_.scratch + "/" + name_ + "." + what;
  }
  void Expect(bool ok, const std::string& what) {
    if (!ok) failures_ += (failures_.empty() ? "" : "; ") + what;
  }
  void Note(const std::string& figure) { notes_ += (notes_.empty() ? "" : ", ") + figure; }
  // The end of every case: nothing of its sessions is left.
  CaseResult Finish() {
    std::string left = LeftSince(before_);
    for (char& ch : left) ch = ch == '\n' ? ';' : ch;
    Expect(left.empty(), "left behind: " + left);
    RemoveEvents(std::to_string(getpid()));  // every tag ends in our pid (Tag())
    if (!failures_.empty()) return {Outcome::kFail, failures_};
    return {Outcome::kPass, notes_};
  }
  // The uprobe target's first function: its file offset, hex (looked up once through a session).
  std::string UprobeOffset(LineConn& session) {
    if (!offset_.empty()) return offset_;
    std::vector<std::string> funcs;
    session.Call("GET_ELF_FUNCS " + env_.uprobe_target, &funcs);
    for (const std::string& f : funcs) {
      auto t = SplitTokens(f);
      if (t.size() >= 4 && t[2] != "0") return offset_ = std::string(t[0]);
    }
    return "";
  }

 private:
  const FaultEnv& env_;
  std::string name_, failures_, notes_;
  KernelState before_;
  std::string tracefs_, offset_;
};

inline std::string Tag(const std::string& base) { return base + std::to_string(getpid()); }

// Gives a session one of everything the kernel keeps after an fd closes unless removed: a map,
// a program, a uprobe the daemon names (`*_bpfd_<pid>`, with --probe-api tracefs) and one a
// forwarded tool defines itself through uprobe_events. "" or what failed.
inline std::string Populate(LineConn& c, const FaultEnv& env, const std::string& tracefs,
                            const std::string& offset, const std::string& tag) {
  if (offset.empty()) return "no function in " + env.uprobe_target;
  int64_t map = c.Call("BPF_CREATE_MAP 1 fm_" + tag + " 8 8 4 0");
  int64_t prog = c.Call("BPF_PROG_LOAD 2 fp 16 GPL 0 " + std::string(kProg));
  if (map < 0 || prog < 0) return "map " + std::to_string(map) + ", prog " + std::to_string(prog);
  int64_t probe =
      c.Call("BPF_ATTACH_UPROBE " + std::to_string(prog) + " 0 fk" + tag + " " + env.uprobe_target +
             " " + std::to_string(std::stoull(offset, nullptr, 16)) + " -1");
  if (probe < 0) return "BPF_ATTACH_UPROBE: " + std::to_string(probe);
  int64_t fd = c.Call("FILE_OPEN " + B64(tracefs + "/uprobe_events") + " 1025 0");
  std::string def = "p:uprobes/ffw" + tag + " " + env.uprobe_target + ":0x" + offset + "\n";
  int64_t w = fd < 0 ? fd : c.Call("FILE_WRITE " + std::to_string(fd) + " " + B64(def));
  if (w < 0) return "forwarded uprobe_events write: " + std::to_string(w);
  if (CountEvents("fk" + tag) != 1 || CountEvents("ffw" + tag) != 1)
    return "the session's two uprobe events are not both listed";
  return "";
}

inline bool Populated(Case& c, Daemon& d, const std::string& tag) {
  std::string why = d.ok() ? Populate(d.conn(), c.env(), c.tracefs(), c.UprobeOffset(d.conn()), tag)
                           : "no banner";
  c.Expect(why.empty(), "setup: " + why);
  return why.empty();
}

// Waits for the daemon to end within ms: true if it exited with a status in `ok_codes`.
inline bool EndsWithin(Case& c, Daemon& d, int ms, std::initializer_list<int> ok_codes,
                       const std::string& what) {
  const int64_t t0 = NowMs();
  int status = 0;
  bool ended = d.Wait(ms + c.env().slack_ms, &status);
  const int64_t took = NowMs() - t0;
  bool ok = ended && WIFEXITED(status);
  if (ok) {
    ok = false;
    for (int code : ok_codes) ok |= WEXITSTATUS(status) == code;
  }
  c.Expect(ok, what + ": " + (ended ? DescribeStatus(status) : "still running") + " after " +
                   std::to_string(took) + " ms");
  if (ended) c.Note(what + " " + std::to_string(took) + " ms");
  return ok;
}

inline const std::vector<std::string> kDaemonTracefs = {"--probe-api", "tracefs"};

// Sends reply-heavy commands without reading until the daemon stops reading too.
inline void Flood(LineConn& conn) {
  const std::string line = "FILE_READ " + B64("/proc/kallsyms");
  for (int i = 0; i < 64 && conn.Send(line, 1000) == 0; ++i) {
  }
}

inline constexpr int kWriteTimeoutS = 2;

// The input cases (fault_input_cases.cc).
CaseResult BigLine(const FaultEnv& env);
CaseResult RingMapRegularFile(const FaultEnv& env);
CaseResult HostileElf(const FaultEnv& env);
CaseResult TracePipe(const FaultEnv& env);
CaseResult FifoExe(const FaultEnv& env);
CaseResult SigtermBlocking(const FaultEnv& env);

}  // namespace bpfd::fault
