// bpfd run: load a BPF object (CO-RE or not) on the target through its daemon, print what its
// ring buffers send, and its maps at the end (or every interval). Arguments -> core calls ->
// output: the daemon loads and attaches (core/daemon/object.cc); core/output/run_output.cc
// formats.
#include <linux/bpf.h>
#include <time.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/base/file_io.h"
#include "core/bpf/builtin.h"
#include "core/client/map_client.h"
#include "core/client/object_client.h"
#include "core/client/target_file.h"
#include "core/output/btf_format.h"
#include "core/output/map_format.h"
#include "core/output/run_output.h"
#include "core/wire/tokens.h"
#include "core/wire/uname_record.h"

namespace bpfd {
namespace {

constexpr const char kMode[] = "bpfd run";

constexpr const char kUsage[] =
    "Usage: bpfd run OBJECT [--remote SPEC] [--btf FILE] [-d SECONDS] [-i SECONDS]\n"
    "                [--type NAME] [-j]\n"
    "       bpfd run --list\n"
    "\n"
    "Loads a compiled BPF object on the target, with the static libbpf inside bpfd (CO-RE\n"
    "relocations against the target's BTF), attaches each program by its section name\n"
    "(tracepoint/, raw_tp/, tp_btf/, kprobe/, kretprobe/, uprobe/, fentry/, fexit/, ...;\n"
    "perf_event, perf_event/hz=N and perf_event/period=NS sample each online CPU's\n"
    "clock), prints each record its BPF ring buffers and perf buffers send, and its maps\n"
    "when it ends (Ctrl-C, or -d).\n"
    "No compiler and no kernel headers are needed on either side.\n"
    "\n"
    "  OBJECT          a .bpf.o file, or the name of a tool bpfd ships (see --list); bpfd sends\n"
    "                  the build for the target's architecture\n"
    "  --remote SPEC   run on a remote daemon (see `bpfd connect --help`); default: here\n"
    "  --btf FILE      the target kernel's BTF, for kernels without /sys/kernel/btf/vmlinux\n"
    "  -d, --duration SECONDS   stop after this long\n"
    "  -i, --interval SECONDS   also print the maps every SECONDS (filetop and biotop: every\n"
    "                  second unless told; they count from zero after each print)\n"
    "  --type NAME     the struct ring buffer records hold (default: struct event). It must be\n"
    "                  in the object's BTF: as libbpf-tools do, declare a global\n"
    "                  `const struct event *unused __attribute__((unused));`\n"
    "  -j, --json      records and maps as JSON, one document per line\n"
    "  --list          the tools bpfd ships\n"
    "\n"
    "Exit status: 0 ok, 1 the object could not be loaded or the daemon failed, 2 usage error.\n";

// The kernel's ENOTSUPP (no libc names it): what attaching fentry answers where the
// architecture has no trampoline for kernel functions.
constexpr int kENOTSUPP = 524;

// Pages per CPU of a perf buffer (256 KiB with 4 KiB pages; libbpf-tools use 16 or 64).
constexpr int kPerfPages = 64;

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Fail(bool json, const std::string& msg) { return ReportError(kMode, json, msg); }

int ReadBytes(const std::string& path, std::vector<uint8_t>* out) {
  std::string s;
  if (int e = ReadFile(path, &s, 256u << 20); e < 0) return e;
  out->assign(s.begin(), s.end());
  return 0;
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool ParseSeconds(const std::string& s, int64_t* ms) {
  uint32_t v;
  if (!ParseUint32(s, &v) || v == 0) return false;
  *ms = int64_t{v} * 1000;
  return true;
}

// The target's architecture, for a shipped tool's build.
Result<std::string> TargetArch(Backend& b) {
  Result<CallReply> r = Call(b, "SYS_UNAME");
  TargetUname u;
  if (!r.ok()) return r.status();
  if (r->ret < 0 || r->data.empty() || ParseUnameLine(r->data[0], &u) < 0)
    return Error(-EPROTO, "cannot read the target's uname");
  std::string arch(ArchOfMachine(u.machine));
  if (arch.empty()) return Error(-ENOEXEC, "bpfd ships no build for a " + u.machine + " target");
  return arch;
}

struct Run {
  Backend& b;
  bool json;
  ObjectRecord obj;
  std::unique_ptr<BtfTypes> btf;
  uint32_t event_type = 0;
  std::vector<int> rings;
  std::vector<int> perfs;                    // perf buffers, one per CPU
  const RunTable* map_table = nullptr;       // a shipped tool's map columns
  std::unique_ptr<RecordTableWriter> table;  // a shipped tool's event columns
  DiskNames disks;                           // for their disk columns
};

void PrintRecord(Run& r, std::span<const uint8_t> rec) {
  if (r.table) {
    r.table->Row(rec, stdout);
  } else {
    WriteRecord(r.btf.get(), r.event_type, rec, r.json, stdout);
  }
}

// A shipped tool's columns, with the target's disk names when they show disks.
void StartTables(Run& r) {
  const RecordTable* t = FindRecordTable(r.obj.name);
  if (t && (!r.btf || !r.event_type)) t = nullptr;
  r.map_table = r.btf ? FindRunTable(r.obj.name) : nullptr;
  if ((t && NeedsDisks(t->columns)) || (r.map_table && NeedsDisks(r.map_table->columns))) {
    Result<std::string> parts = ReadTargetFile(r.b, "/proc/partitions");
    if (!parts.ok())
      std::fprintf(stderr, "%s: %s: disks are shown as MAJOR:MINOR\n", kMode, parts.msg().c_str());
    r.disks = ParsePartitions(parts.ok() ? *parts : std::string());
  }
  if (!t) return;
  r.table = std::make_unique<RecordTableWriter>(*t, *r.btf, r.event_type, r.disks, r.json);
  r.table->Header(stdout);
}

// A top tool's first line, with the target's load average.
void PrintTopHeader(Run& r) {
  Result<std::string> loadavg = ReadTargetFile(r.b, "/proc/loadavg");
  WriteTopHeader(loadavg.ok() ? *loadavg : "?", r.json, stdout);
}

void PrintMaps(Run& r) {
  const RunTable* table = r.map_table;
  if (table && table->top) PrintTopHeader(r);
  for (const ObjectMapRecord& om : r.obj.maps) {
    if (om.internal || om.type == BPF_MAP_TYPE_RINGBUF || om.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
      continue;
    if (table && table->map != om.name) continue;
    MapRecord m{.id = om.id,
                .type = om.type,
                .key_size = om.key_size,
                .value_size = om.value_size,
                .max_entries = om.max_entries,
                .btf_id = om.btf_id,
                .btf_key_type_id = om.btf_key_type_id,
                .btf_value_type_id = om.btf_value_type_id,
                .name = om.name};
    MapEntries e;
    long long n = DumpMap(r.b, m, &e);
    if (n < 0) {
      std::fprintf(stderr, "%s: map %s: %s\n", kMode, om.name.c_str(),
                   std::strerror(static_cast<int>(-n)));
      continue;
    }
    if (table) {
      WriteRunTable(*table, m, e, *r.btf, r.disks, r.json, stdout);
      if (Status s = table->top ? ClearMap(r.b, om) : Status{}; !s.ok())
        std::fprintf(stderr, "%s: %s\n", kMode, s.msg.c_str());
    } else if (!r.json && r.btf && IsHistogramMap(m, *r.btf)) {
      WriteHistograms(m, e, *r.btf, stdout);
    } else {
      if (!r.json) std::printf("%s:\n", om.name.c_str());
      WriteMapEntries(m, e, r.btf.get(), r.json, stdout);
    }
  }
  std::fflush(stdout);
}

int Loop(Run& r, int64_t duration_ms, int64_t interval_ms) {
  const int64_t start = NowMs();
  int64_t next_print = interval_ms > 0 ? start + interval_ms : -1;
  while (!g_stop) {
    int64_t now = NowMs();
    if (duration_ms > 0 && now - start >= duration_ms) break;
    if (next_print >= 0 && now >= next_print) {
      PrintMaps(r);
      next_print += interval_ms;
    }
    int wait = 200;
    if (r.rings.empty() && r.perfs.empty()) {
      timespec ts{0, wait * 1000000L};
      nanosleep(&ts, nullptr);
      continue;
    }
    auto print = [&](int, std::span<const uint8_t> rec) { PrintRecord(r, rec); };
    size_t got = 0;
    if (!r.rings.empty()) {
      Result<size_t> n = PollRingbufs(r.b, r.rings, r.perfs.empty() ? wait : 0, print);
      if (!n.ok()) return Fail(r.json, n.msg());
      got += *n;
    }
    if (!r.perfs.empty()) {
      Result<size_t> n = PollPerfBuffers(r.b, r.perfs, got ? 0 : wait, print);
      if (!n.ok()) return Fail(r.json, n.msg());
      got += *n;
    }
    if (got) std::fflush(stdout);
  }
  if (uint64_t lost = r.perfs.empty() ? 0 : PerfBuffersLost(r.b, r.perfs))
    std::fprintf(stderr, "%s: %llu samples lost (the perf buffers were full)\n", kMode,
                 static_cast<unsigned long long>(lost));
  PrintMaps(r);
  return 0;
}

// times_ms: --duration and --interval (0: not given).
int RunObject(Backend& b, const ModeOptions& opts, const int64_t (&times_ms)[2]) {
  const std::string& what = opts.args[0];
  std::vector<uint8_t> elf, btf;
  std::string error;
  bool file = what.find('/') != std::string::npos || what.ends_with(".o");
  if (file) {
    if (int e = ReadBytes(what, &elf); e < 0)
      return Fail(opts.json, "cannot read " + what + ": " + std::strerror(-e));
  } else {
    Result<std::string> arch = TargetArch(b);
    if (!arch.ok()) return Fail(opts.json, arch.msg());
    const BuiltinObject* o = FindBuiltinObject(what, *arch);
    if (!o)
      return ReportError(kMode, opts.json, "no tool named " + what + " (see --list)", kExitUsage);
    if (BuiltinObjectElf(*o, &elf) < 0)
      return Fail(opts.json, "the built-in " + what + " is corrupt");
  }
  if (opts.values.count("btf")) {
    if (int e = ReadBytes(opts.values.at("btf"), &btf); e < 0)
      return Fail(opts.json, "cannot read " + opts.values.at("btf") + ": " + std::strerror(-e));
  }
  std::string name = what.substr(what.rfind('/') + 1);
  name = name.substr(0, name.find('.'));
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  Result<ObjectRecord> obj = LoadObject(b, name.empty() ? "object" : name.substr(0, 63), elf, btf);
  if (!obj.ok()) {
    std::string hint;
    if (btf.empty() && (obj.msg().find("failed to find valid kernel BTF") != std::string::npos ||
                        obj.msg().find("the kernel has no BTF") != std::string::npos))
      hint = "\nThe target's kernel has no BTF (/sys/kernel/btf/vmlinux), and " + what +
             " relocates kernel types (CO-RE) beyond tracepoint records: pass --btf FILE made "
             "for that kernel (pahole -J from its vmlinux with debug info; bpftool gen "
             "min_core_btf shrinks it to the object's types), or run a tool that needs none "
             "(hardirqs, biosnoop, biotop).";
    return Fail(opts.json, "cannot load " + what + ": " + obj.msg() + hint);
  }
  Run r{.b = b, .json = opts.json, .obj = std::move(*obj)};
  size_t attached = 0;
  for (const ObjectProgRecord& p : r.obj.progs) {
    if (p.attached == 0) {
      ++attached;
      continue;
    }
    std::fprintf(stderr, "%s: %s (section %s) is loaded but not attached: %s\n", kMode,
                 p.name.c_str(), p.section.c_str(),
                 p.attached == -EOPNOTSUPP ? "libbpf cannot attach that section by itself"
                 : p.attached == -kENOTSUPP
                     ? "the kernel cannot attach it here (ENOTSUPP: e.g. fentry on an "
                       "architecture or version without trampolines for kernel functions)"
                     : std::strerror(-p.attached));
  }
  if (attached == 0) return Fail(opts.json, what + ": no program could be attached");
  if (r.obj.btf_id) {
    std::vector<uint8_t> raw;
    if (GetBtf(b, r.obj.btf_id, &raw) >= 0) r.btf = BtfTypes::FromRaw(raw);
  }
  for (const ObjectMapRecord& m : r.obj.maps) {
    if (m.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
      Result<std::vector<int>> fds = OpenPerfBuffers(b, m, kPerfPages);
      if (!fds.ok()) return Fail(opts.json, fds.msg());
      r.perfs.insert(r.perfs.end(), fds->begin(), fds->end());
    }
    if (m.type != BPF_MAP_TYPE_RINGBUF) continue;
    if (Status s = MapRingbuf(b, m); !s.ok()) return Fail(opts.json, s.msg);
    r.rings.push_back(m.fd);
  }
  std::string type = opts.values.count("type") ? opts.values.at("type") : "event";
  if (r.btf) r.event_type = r.btf->FindStruct(type);
  if ((!r.rings.empty() || !r.perfs.empty()) && !r.event_type)
    std::fprintf(stderr, "%s: no struct %s in the object's BTF: records are shown as bytes\n",
                 kMode, type.c_str());
  StartTables(r);
  std::fprintf(stderr, "%s: %s: %zu program%s attached%s. Ctrl-C to end.\n", kMode,
               r.obj.name.c_str(), attached, attached == 1 ? "" : "s",
               r.rings.empty() && r.perfs.empty() ? "" : ", printing its buffers' records");
  int64_t interval_ms = times_ms[1];
  if (!interval_ms && r.map_table && r.map_table->top) interval_ms = 1000;  // BCC's default
  int rc = Loop(r, times_ms[0], interval_ms);
  (void)CloseObject(b, r.obj.handle);
  return rc;
}

}  // namespace

int RunMain(int argc, char** argv) {
  constexpr Option kFlags[] = {{"btf", 0, true},
                               {"duration", 'd', true},
                               {"interval", 'i', true},
                               {"type", 0, true},
                               {"list", 0, false}};
  ModeOptions opts;
  std::string error;
  if (ParseModeOptions(argc, argv, kFlags, &opts, &error) < 0)
    return ReportError(kMode, opts.json, error, kExitUsage);
  if (opts.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (opts.flags.count("list")) {
    for (std::string_view n : BuiltinObjectNames())
      std::printf("%.*s\n", static_cast<int>(n.size()), n.data());
    return 0;
  }
  if (opts.args.size() != 1)
    return ReportError(kMode, opts.json, "expected one OBJECT", kExitUsage);
  int64_t times_ms[2] = {0, 0};
  const char* const kTimes[2] = {"duration", "interval"};
  for (int i = 0; i < 2; ++i) {
    const char* o = kTimes[i];
    if (opts.values.count(o) && !ParseSeconds(opts.values.at(o), &times_ms[i]))
      return ReportError(kMode, opts.json,
                         std::string("--") + o + " takes a whole number of seconds > 0",
                         kExitUsage);
  }
  std::unique_ptr<Backend> backend;
  if (OpenBackend(opts, &backend, &error) < 0) return Fail(opts.json, error);
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return RunObject(*backend, opts, times_ms);
}

}  // namespace bpfd
