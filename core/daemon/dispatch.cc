#include "core/daemon/dispatch.h"

#include <cerrno>
#include <new>
#include <stdexcept>

#include "core/daemon/handler.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr Command kCommands[] = {
    {"BPF_CREATE_MAP", 5, "bpf_create_map", CmdCreateMap},
    {"BPF_PROG_LOAD", 6, "bpf_prog_load", CmdProgLoad},
    {"BPF_ATTACH_KPROBE", 4, "bpf_attach_kprobe", CmdAttachKprobe},
    {"BPF_DETACH_KPROBE", 1, "bpf_detach_kprobe", CmdDetachKprobe},
    {"BPF_ATTACH_UPROBE", 6, "bpf_attach_uprobe", CmdAttachUprobe},
    {"BPF_DETACH_UPROBE", 1, "bpf_detach_uprobe", CmdDetachUprobe},
    {"BPF_ATTACH_TRACEPOINT", 3, "bpf_attach_tracepoint", CmdAttachTracepoint},
    {"BPF_DETACH_TRACEPOINT", 2, "bpf_detach_tracepoint", CmdDetachTracepoint},
    {"BPF_ATTACH_PERF_EVENT", 8, "bpf_attach_perf_event", CmdAttachPerfEvent},
    {"BPF_CLOSE_PERF_EVENT_FD", 1, "bpf_close_perf_event_fd", CmdClosePerfEventFd},
    {"BPF_OPEN_PERF_BUFFER", 3, "bpf_open_perf_buffer", CmdOpenPerfBuffer},
    {"PERF_READER_POLL", 2, "perf_reader_poll", CmdPerfReaderPoll},
    {"PERF_READER_LOST", 0, "perf_reader_lost", CmdPerfReaderLost},
    {"BPF_UPDATE_ELEM", 6, "bpf_update_elem", CmdUpdateElem},
    {"BPF_LOOKUP_ELEM", 4, "bpf_lookup_elem", CmdLookupElem},
    {"BPF_GET_FIRST_KEY", 4, "bpf_get_first_key", CmdGetFirstKey},
    {"BPF_GET_NEXT_KEY", 3, "bpf_get_next_key", CmdGetNextKey},
    {"BPF_DELETE_ELEM", 3, "bpf_delete_elem", CmdDeleteElem},
    {"BPF_CLEAR_MAP", 2, "bpf_clear_map", CmdClearMap},
    {"GET_KALLSYMS", 0, "get_kallsyms", CmdGetKallsyms},
    {"GET_KPROBES_BLACKLIST", 1, "get_kprobes_blacklist", CmdGetKprobesBlacklist},
    {"GET_AVAIL_FILTER_FUNCS", 1, "get_avail_filter_funcs", CmdGetAvailFilterFuncs},
    {"GET_TRACE_EVENTS_CATEGORIES", 1, "get_trace_events_categories", CmdGetTraceEventsCategories},
    {"GET_TRACE_EVENTS", 2, "get_trace_events", CmdGetTraceEvents},
    {"COMM_FOR_PID", 1, "comm_for_pid", CmdCommForPid},
    {"GET_KSYM_NAME", 1, "GET_KSYM_NAME", CmdGetKsymName},
    {"GET_KSYM_ADDR", 1, "GET_KSYM_ADDR", CmdGetKsymAddr},
    {"GET_USYM_NAME", 3, "GET_USYM_NAME", CmdGetUsymName},
    {"GET_USYM_ADDR", 3, "GET_USYM_ADDR", CmdGetUsymAddr},
    // bpf-selftest
    {"SELFTEST", 0, "selftest", CmdSelftest},
    // bpf-mapdump's extensions (core/cmd_mapinfo.cc)
    {"MAP_LIST", 0, "map_list", CmdMapList},
    {"MAP_INFO", 2, "map_info", CmdMapInfo},
    {"MAP_DUMP", 1, "map_dump", CmdMapDump},
    {"BTF_GET", 1, "btf_get", CmdBtfGet},
    // bpf-probes extensions
    {"GET_TRACE_EVENT_FORMAT", 2, "get_trace_event_format", CmdGetTraceEventFormat},
    {"GET_ELF_FUNCS", 1, "get_elf_funcs", CmdGetElfFuncs},
    {"GET_BPF_FEATURES", 1, "get_bpf_features", CmdGetBpfFeatures},
    // Forwarding for `bpfd remote` (cmd_sys.cc, cmd_files.cc, cmd_ring.cc)
    {"SYS_BPF", 2, "sys_bpf", CmdSysBpf},
    {"SYS_PERF_EVENT_OPEN", 5, "sys_perf_event_open", CmdSysPerfEventOpen},
    {"SYS_IOCTL", 3, "sys_ioctl", CmdSysIoctl},
    {"SYS_CLOSE", 1, "sys_close", CmdSysClose},
    {"SYS_UNAME", 0, "sys_uname", CmdSysUname},
    {"FILE_READ", 1, "file_read", CmdFileRead},
    {"FILE_STAT", 2, "file_stat", CmdFileStat},
    {"FILE_ACCESS", 2, "file_access", CmdFileAccess},
    {"FILE_LIST", 1, "file_list", CmdFileList},
    {"FILE_READLINK", 1, "file_readlink", CmdFileReadlink},
    {"FILE_STATFS", 1, "file_statfs", CmdFileStatfs},
    {"FILE_OPEN", 3, "file_open", CmdFileOpen},
    {"FILE_WRITE", 2, "file_write", CmdFileWrite},
    {"FILE_PREAD", 3, "file_pread", CmdFilePread},
    {"RING_MAP", 3, "ring_map", CmdRingMap},
    {"RING_POLL", 2, "ring_poll", CmdRingPoll},
};

const Command* FindCommand(std::string_view name) {
  for (const Command& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

std::span<const Command> Commands() { return kCommands; }

LineAction HandleLine(Session& session, std::string_view line, Reply& reply) {
  reply.Clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return LineAction::kIgnore;
  const Command* cmd = nullptr;
  try {
    std::vector<std::string_view> tokens = SplitTokens(line);
    if (tokens[0] == "exit") return LineAction::kExit;
    cmd = FindCommand(tokens[0]);
    Args args = Args(tokens).subspan(1);
    if (!cmd || args.size() < cmd->min_args) {
      reply.NotRecognized();
      return LineAction::kReply;
    }
    CommandReply out(reply, cmd->ret_name);
    if (cmd->handler(session, args, out) == Verdict::kBadArgs) reply.NotRecognized();
  } catch (const std::exception& e) {
    // Only allocation failures are expected here (bad_alloc, or length_error for sizes
    // beyond what a container can hold); anything else is reported as -EINVAL.
    bool nomem = dynamic_cast<const std::bad_alloc*>(&e) || dynamic_cast<const std::length_error*>(&e);
    reply.Clear();
    if (cmd) {
      reply.Ret(cmd->ret_name, nomem ? -ENOMEM : -EINVAL);
    } else {
      reply.NotRecognized();
    }
  }
  return LineAction::kReply;
}

}  // namespace bpfd
