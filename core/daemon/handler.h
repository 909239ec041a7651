// Internal: the command handlers behind HandleLine (cmd_*.cc) and the helpers they share.
// A handler returns 0 after writing its reply, or kBadArgs to reply "Command not recognized".
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/wire/framing.h"
#include "core/wire/reply.h"
#include "core/daemon/session.h"

namespace bpfd {

using Args = std::span<const std::string_view>;
using Handler = int (*)(Session&, Args, Reply&);

inline constexpr int kBadArgs = 1;

// Largest key/value/program the daemon accepts before asking the kernel (absurd sizes are
// -EINVAL, never an allocation attempt).
inline constexpr uint64_t kMaxKeyLen = 1u << 20;
inline constexpr uint64_t kMaxValueLen = 64u << 20;
inline constexpr uint64_t kMaxProgLen = 64u << 20;

struct Command {
  std::string_view name;
  size_t min_args;            // arguments after the command name
  std::string_view ret_name;  // "<ret_name>: ret=" for generic failures (e.g. -ENOMEM)
  Handler handler;
};

// The command table (protocol.cc).
std::span<const Command> Commands();

// cmd_maps.cc
int CmdCreateMap(Session&, Args, Reply&);
int CmdUpdateElem(Session&, Args, Reply&);
int CmdLookupElem(Session&, Args, Reply&);
int CmdGetFirstKey(Session&, Args, Reply&);
int CmdGetNextKey(Session&, Args, Reply&);
int CmdDeleteElem(Session&, Args, Reply&);
int CmdClearMap(Session&, Args, Reply&);
// cmd_prog.cc
int CmdProgLoad(Session&, Args, Reply&);
// cmd_attach.cc
int CmdAttachKprobe(Session&, Args, Reply&);
int CmdDetachKprobe(Session&, Args, Reply&);
int CmdAttachUprobe(Session&, Args, Reply&);
int CmdDetachUprobe(Session&, Args, Reply&);
int CmdAttachTracepoint(Session&, Args, Reply&);
int CmdDetachTracepoint(Session&, Args, Reply&);
int CmdAttachPerfEvent(Session&, Args, Reply&);
int CmdClosePerfEventFd(Session&, Args, Reply&);
// cmd_perf.cc
int CmdOpenPerfBuffer(Session&, Args, Reply&);
int CmdPerfReaderPoll(Session&, Args, Reply&);
int CmdPerfReaderLost(Session&, Args, Reply&);
// cmd_info.cc
int CmdGetKallsyms(Session&, Args, Reply&);
int CmdGetKprobesBlacklist(Session&, Args, Reply&);
int CmdGetAvailFilterFuncs(Session&, Args, Reply&);
int CmdGetTraceEventsCategories(Session&, Args, Reply&);
int CmdGetTraceEvents(Session&, Args, Reply&);
int CmdCommForPid(Session&, Args, Reply&);
int CmdGetKsymName(Session&, Args, Reply&);
int CmdGetKsymAddr(Session&, Args, Reply&);
int CmdGetUsymName(Session&, Args, Reply&);
int CmdGetUsymAddr(Session&, Args, Reply&);

// bpf-selftest (cmd_selftest.cc): SELFTEST runs the checks of core/selftest.h.
int CmdSelftest(Session&, Args, Reply&);

// bpf-mapdump (cmd_mapinfo.cc): map listing, info, whole-map dump and BTF by id.
int CmdMapList(Session&, Args, Reply&);
int CmdMapInfo(Session&, Args, Reply&);
int CmdMapDump(Session&, Args, Reply&);
int CmdBtfGet(Session&, Args, Reply&);

// bpf-probes extensions (cmd_probes.cc)
int CmdGetTraceEventFormat(Session&, Args, Reply&);
int CmdGetElfFuncs(Session&, Args, Reply&);
int CmdGetBpfFeatures(Session&, Args, Reply&);

// Forwarding for `bpfd remote` (docs/protocol.md "Forwarding"). cmd_sys.cc:
int CmdSysBpf(Session&, Args, Reply&);
int CmdSysPerfEventOpen(Session&, Args, Reply&);
int CmdSysIoctl(Session&, Args, Reply&);
int CmdSysClose(Session&, Args, Reply&);
int CmdSysUname(Session&, Args, Reply&);
// cmd_files.cc
int CmdFileRead(Session&, Args, Reply&);
int CmdFileStat(Session&, Args, Reply&);
int CmdFileAccess(Session&, Args, Reply&);
int CmdFileList(Session&, Args, Reply&);
int CmdFileReadlink(Session&, Args, Reply&);
int CmdFileStatfs(Session&, Args, Reply&);
int CmdFileOpen(Session&, Args, Reply&);
int CmdFileWrite(Session&, Args, Reply&);
int CmdFilePread(Session&, Args, Reply&);
// cmd_ring.cc
int CmdRingMap(Session&, Args, Reply&);
int CmdRingPoll(Session&, Args, Reply&);

// cmd_common.cc: helpers shared by the handlers.

// Decodes base64 `b64` into *out and checks the decoded length is exactly `len`: 0 or -EINVAL.
int DecodeExact(std::string_view b64, uint64_t len, std::vector<uint8_t>* out);

// A map/program name the kernel accepts: "__none__" (the protocol's "no name") becomes "";
// characters other than [A-Za-z0-9_.] become '_'; at most 15 characters are kept.
std::string ObjName(std::string_view name);

// In a session without kernel access (fuzzing), writes "<fn>: ret=-1" (EPERM) and returns
// true: the handler must stop there, after validating its arguments.
bool NoKernel(Session& s, Reply& r, std::string_view fn);

// The wait of PERF_READER_POLL and RING_POLL: returns once done() is true (it is asked first
// and after every wake-up), a command line or EOF is waiting on the session's input, timeout_ms
// passed (negative: no limit), a stop signal came (for the daemon to see), or one of fds hung
// up (asking done() once more: no spinning on a dead event). 0, or -errno from ppoll.
int WaitUnlessInput(Session& s, const std::vector<int>& fds, int timeout_ms,
                    const std::function<bool()>& done);

}  // namespace bpfd
