// Programs (docs/protocol.md):
//   BPF_PROG_LOAD type name prog_len license kern_version insns(b64) -> ret=<the program's fd>;
//       loads raw bytecode; on failure the verifier log follows the "bpf_prog_load: ret=<-errno>"
//       line.
#include <bpf/bpf.h>

#include <cerrno>
#include <string>

#include "core/daemon/handler.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr size_t kFirstLogSize = 64 * 1024;
constexpr size_t kMaxLogSize = 16 * 1024 * 1024;

struct LoadArgs {
  bpf_prog_type type;
  std::string name;
  std::string license;
  uint32_t kern_version;
  const bpf_insn* insns;
  size_t insn_cnt;
};

int Load(const LoadArgs& a, bool with_name, std::string* log) {
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .kern_version = a.kern_version);
  if (log) {
    opts.log_level = 1;
    opts.log_buf = log->data();
    opts.log_size = static_cast<uint32_t>(log->size());
  }
  const char* name = with_name && !a.name.empty() ? a.name.c_str() : nullptr;
  return bpf_prog_load(a.type, name, a.license.c_str(), a.insns, a.insn_cnt, &opts);
}

// Reloads with the verifier log on, growing the buffer while the kernel says it is too small.
// Returns the load result of the last attempt; *log holds the log text.
int LoadWithLog(const LoadArgs& a, bool with_name, std::string* log) {
  int fd = -ENOSPC;
  for (size_t size = kFirstLogSize; size <= kMaxLogSize; size *= 2) {
    log->assign(size, '\0');
    fd = Load(a, with_name, log);
    if (fd != -ENOSPC) break;
  }
  log->resize(log->find('\0') == std::string::npos ? log->size() : log->find('\0'));
  return fd;
}

Verdict CmdProgLoad(Session& s, Args args, CommandReply& r) {
  uint32_t type, kern_version;
  uint64_t prog_len;
  if (!ParseUint32(args[0], &type) || !ParseUint64(args[2], &prog_len) ||
      !ParseUint32(args[4], &kern_version) || args[3].empty())
    return Verdict::kBadArgs;
  std::vector<uint8_t> insns;
  int ret = 0;
  if (prog_len == 0 || prog_len % sizeof(bpf_insn) != 0 || prog_len > kMaxProgLen) ret = -EINVAL;
  if (ret == 0) ret = DecodeExact(args[5], prog_len, &insns);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret < 0) return r.Ret(ret);
  LoadArgs a{static_cast<bpf_prog_type>(type),
             ObjName(args[1]),
             std::string(args[3]),
             kern_version,
             reinterpret_cast<const bpf_insn*>(insns.data()),
             insns.size() / sizeof(bpf_insn)};
  bool with_name = true;
  int fd = Load(a, with_name, nullptr);
  if (fd == -EINVAL && !a.name.empty()) {
    // Kernels before 4.15 reject any program name: retry without one, as BCC does.
    int fd2 = Load(a, false, nullptr);
    if (fd2 >= 0) fd = fd2;
  }
  std::string log;
  if (fd < 0 && fd != -EPERM) {
    int fd2 = LoadWithLog(a, with_name, &log);
    if (fd2 >= 0) {
      fd = fd2;  // it loaded after all; keep it
      log.clear();
    }
  }
  if (fd < 0) {
    r.Ret(fd);
    r.Text(log);
    return Verdict::kDone;
  }
  return r.Ret(s.AddProg(UniqueFd(fd)));
}

constexpr Command kProgCommands[] = {
    {"BPF_PROG_LOAD", 6, "bpf_prog_load", CmdProgLoad},
};

}  // namespace

CommandGroup ProgCommands() { return kProgCommands; }

}  // namespace bpfd
